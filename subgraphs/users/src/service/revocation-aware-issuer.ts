import type { AccountRevocations } from "@fixup/platform";
import type { AccessTokenIssuer } from "./token-issuer.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Never issues a token its own account's revocation would refuse. Revocations refuse tokens issued at or before a
 * moment, in whole seconds (a token's `iat`); a token signed in that same second — a refresh right after a role change,
 * a login right after a suspension is lifted — would be refused at once. Such a signature waits for the next second.
 * When the revocation store cannot be asked, the verifiers trust signatures alone, so neither does this wait.
 */
export function issuerAfterRevocations(
  issuer: AccessTokenIssuer,
  revocations: Pick<AccountRevocations, "revokedUntil">,
  wait: (ms: number) => Promise<void> = sleep,
  nowMs: () => number = Date.now,
): AccessTokenIssuer {
  return {
    accessTtlSeconds: issuer.accessTtlSeconds,
    jwks: () => issuer.jwks(),
    async sign(user) {
      const until = await revocations.revokedUntil(user.id).catch(() => null);
      if (until !== null) {
        const ms = (until + 1) * 1000 - nowMs();
        if (ms > 0) await wait(ms);
      }
      return issuer.sign(user);
    },
  };
}
