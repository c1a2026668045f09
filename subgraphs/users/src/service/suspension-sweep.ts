import type { Logger } from "@fixup/platform";
import type { ModerationService } from "./moderation-service.js";

/**
 * Every `seconds`, lifts the suspensions whose `until` passed, so UserUnsuspended goes out even for an account that
 * never logs in again. Safe with several instances: lifting is a conditional delete, exactly one of them wins.
 */
export function startSuspensionSweep(moderation: Pick<ModerationService, "liftExpiredSuspensions">, seconds: number, logger: Logger): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    moderation
      .liftExpiredSuspensions()
      .then((lifted) => {
        if (lifted) logger.info({ lifted }, "expired suspensions lifted");
      })
      .catch((error: unknown) => logger.warn({ err: error }, "suspension sweep failed; retrying at the next tick"))
      .finally(() => {
        running = false;
      });
  }, seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
