export const MAX_BODY_LENGTH = 4000;

export type BodyCheck = { ok: true; body: string } | { ok: false; problem: string };

/**
 * A message body is trimmed and must then hold 1..4000 characters. Characters are Unicode code points, so an emoji
 * counts once, not as its two UTF-16 halves.
 */
export function checkMessageBody(raw: string): BodyCheck {
  const body = raw.trim();
  if (body.length === 0) return { ok: false, problem: "must not be empty" };
  if ([...body].length > MAX_BODY_LENGTH) return { ok: false, problem: `must be at most ${MAX_BODY_LENGTH} characters` };
  return { ok: true, body };
}
