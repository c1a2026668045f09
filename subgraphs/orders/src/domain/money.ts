export interface Money {
  /** Minor units (cents); never floating point. */
  amount: number;
  /** ISO 4217 code, upper case. */
  currency: string;
}

export const MAX_MINOR_UNITS = 2_147_483_647;

let known: Set<string> | undefined;
/** ISO 4217 codes the runtime knows (Intl), so "ABC" is refused rather than stored. */
function knownCurrencies(): Set<string> {
  known ??= new Set(Intl.supportedValuesOf("currency"));
  return known;
}

/** Returns a problem per field, or null when the amount and currency are acceptable. */
export function moneyProblems(money: Money, { allowZero = false } = {}): Record<string, string> | null {
  const problems: Record<string, string> = {};
  if (!Number.isInteger(money.amount)) problems.amount = "must be a whole number of minor units";
  else if (money.amount < (allowZero ? 0 : 1)) problems.amount = allowZero ? "must not be negative" : "must be positive";
  else if (money.amount > MAX_MINOR_UNITS) problems.amount = `must be at most ${MAX_MINOR_UNITS}`;
  if (!/^[A-Z]{3}$/.test(money.currency) || !knownCurrencies().has(money.currency)) {
    problems.currency = "must be an ISO 4217 currency code";
  }
  return Object.keys(problems).length ? problems : null;
}
