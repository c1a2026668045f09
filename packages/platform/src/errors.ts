import { GraphQLError, type GraphQLFormattedError } from "graphql";

export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INVALID_STATE: "INVALID_STATE",
  RATE_LIMITED: "RATE_LIMITED",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const httpStatusByCode: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
};

export interface AppErrorOptions {
  fields?: Record<string, string>;
  /** A machine-readable refinement of the code (e.g. FORBIDDEN for EMAIL_NOT_VERIFIED), sent as `extensions.reason`. */
  reason?: string;
  retryAfterSeconds?: number;
  status?: number;
}

/** The one error type services throw; handlers translate it to GraphQL or REST shapes. */
export class AppError extends Error {
  readonly fields?: Record<string, string>;
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = "AppError";
    this.fields = options.fields;
    this.reason = options.reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status ?? httpStatusByCode[code];
  }
}

export const badInput = (fields: Record<string, string>, message = "Invalid input") =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { fields });
export const unauthenticated = (message = "Authentication required") =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = "Not allowed") => new AppError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const conflict = (message: string) => new AppError(ErrorCode.CONFLICT, message);

/** What a client reads of an AppError in GraphQL `extensions`: code, and fields / reason / retryAfter when set. */
export function appErrorExtensions(error: AppError): Record<string, unknown> {
  const extensions: Record<string, unknown> = { code: error.code };
  if (error.fields) extensions.fields = error.fields;
  if (error.reason) extensions.reason = error.reason;
  if (error.retryAfterSeconds !== undefined) extensions.retryAfter = error.retryAfterSeconds;
  return extensions;
}

export function toGraphQLError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, { extensions: appErrorExtensions(error) });
}

const knownCodes = new Set<string>(Object.values(ErrorCode));
/** Apollo codes that are client mistakes; everything else unknown is masked as internal. */
const clientCodes: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: ErrorCode.BAD_USER_INPUT,
  GRAPHQL_VALIDATION_FAILED: ErrorCode.BAD_USER_INPUT,
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.BAD_USER_INPUT,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_USER_INPUT,
};

/**
 * Apollo `formatError`: known codes pass, client-mistake codes keep their message under BAD_USER_INPUT,
 * anything else becomes a generic INTERNAL_SERVER_ERROR so stack traces and driver messages never leak.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  onInternal?: (error: GraphQLFormattedError) => void,
): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? "");
  if (knownCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const mapped = clientCodes[code];
  if (mapped) return { message: formatted.message, locations: formatted.locations, extensions: { code: mapped } };
  onInternal?.(formatted);
  return { message: "Internal server error", path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
