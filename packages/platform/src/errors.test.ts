import { createRequire } from "node:module";
import { ApolloServer } from "@apollo/server";
import type * as GraphQL from "graphql";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { describe, expect, test, vi } from "vitest";
import {
  AppError,
  badInput,
  conflict,
  ErrorCode,
  forbidden,
  formatGraphQLError,
  httpStatusByCode,
  notFound,
  toGraphQLError,
  unauthenticated,
} from "./errors.js";
import { createLogger } from "./logger.js";
import { appErrorFormatter } from "./server.js";

const locations = [{ line: 1, column: 3 }];
const path = ["user", "email"];

describe("formatGraphQLError", () => {
  test.each([
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.FORBIDDEN,
    ErrorCode.BAD_USER_INPUT,
    ErrorCode.NOT_FOUND,
    ErrorCode.CONFLICT,
    ErrorCode.INVALID_STATE,
    ErrorCode.RATE_LIMITED,
  ])("known code %s passes through without its stacktrace", (code) => {
    const onInternal = vi.fn();
    const input: GraphQLFormattedError = {
      message: "Specific message",
      locations,
      path,
      extensions: { code, fields: { email: "taken" }, stacktrace: ["Error: at x", "at y"] },
    };
    expect(formatGraphQLError(input, onInternal)).toEqual({
      message: "Specific message",
      locations,
      path,
      extensions: { code, fields: { email: "taken" } },
    });
    expect(onInternal).not.toHaveBeenCalled();
  });

  test.each(["GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND", "OPERATION_RESOLUTION_FAILURE"])(
    "client-mistake code %s becomes BAD_USER_INPUT keeping the message",
    (code) => {
      const onInternal = vi.fn();
      const input: GraphQLFormattedError = {
        message: 'Cannot query field "nope" on type "Query".',
        locations,
        extensions: { code, stacktrace: ["GraphQLError: ..."] },
      };
      expect(formatGraphQLError(input, onInternal)).toEqual({
        message: 'Cannot query field "nope" on type "Query".',
        locations,
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      });
      expect(onInternal).not.toHaveBeenCalled();
    },
  );

  test.each<{ name: string; extensions: GraphQLFormattedError["extensions"] }>([
    { name: "explicit INTERNAL_SERVER_ERROR", extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["at db.query"] } },
    { name: "unknown code", extensions: { code: "P2002" } },
    { name: "lower-case known code", extensions: { code: "not_found" } },
    { name: "missing code", extensions: { detail: "relation users does not exist" } },
    { name: "no extensions", extensions: undefined },
  ])("$name is masked as a generic internal error and reported", ({ extensions }) => {
    const onInternal = vi.fn<(error: GraphQLFormattedError) => void>();
    const input: GraphQLFormattedError = {
      message: 'duplicate key value violates unique constraint "users_email_key"',
      locations,
      path,
      ...(extensions ? { extensions } : {}),
    };
    const output = formatGraphQLError(input, onInternal);
    expect(output).toEqual({
      message: "Internal server error",
      path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
    expect(JSON.stringify(output)).not.toMatch(/duplicate|stacktrace|users_email_key/);
    expect(onInternal).toHaveBeenCalledExactlyOnceWith(input);
  });

  test("masking works without an onInternal callback", () => {
    expect(formatGraphQLError({ message: "boom" })).toEqual({
      message: "Internal server error",
      path: undefined,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
  });
});

describe("httpStatusByCode", () => {
  test.each([
    [ErrorCode.BAD_USER_INPUT, 400],
    [ErrorCode.UNAUTHENTICATED, 401],
    [ErrorCode.FORBIDDEN, 403],
    [ErrorCode.NOT_FOUND, 404],
    [ErrorCode.CONFLICT, 409],
    [ErrorCode.INVALID_STATE, 409],
    [ErrorCode.RATE_LIMITED, 429],
    [ErrorCode.INTERNAL_SERVER_ERROR, 500],
  ])("%s → %i", (code, status) => {
    expect(httpStatusByCode[code]).toBe(status);
    expect(new AppError(code, "x").status).toBe(status);
  });

  test("covers every ErrorCode", () => {
    expect(Object.keys(httpStatusByCode).sort()).toEqual(Object.values(ErrorCode).sort());
  });
});

describe("AppError helpers", () => {
  test.each([
    { name: "badInput", error: badInput({ email: "invalid" }), code: ErrorCode.BAD_USER_INPUT, message: "Invalid input" },
    { name: "unauthenticated", error: unauthenticated(), code: ErrorCode.UNAUTHENTICATED, message: "Authentication required" },
    { name: "forbidden", error: forbidden(), code: ErrorCode.FORBIDDEN, message: "Not allowed" },
    { name: "notFound", error: notFound("User"), code: ErrorCode.NOT_FOUND, message: "User not found" },
    { name: "conflict", error: conflict("Email taken"), code: ErrorCode.CONFLICT, message: "Email taken" },
  ])("$name builds $code", ({ error, code, message }) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ name: "AppError", code, message, status: httpStatusByCode[code] });
  });

  test("an explicit status overrides the code's default", () => {
    expect(new AppError(ErrorCode.BAD_USER_INPUT, "too large", { status: 413 }).status).toBe(413);
  });

  test("toGraphQLError carries code, fields and retryAfter as extensions", () => {
    const error = toGraphQLError(
      new AppError(ErrorCode.RATE_LIMITED, "Slow down", { retryAfterSeconds: 30, fields: { email: "locked" } }),
    );
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe("Slow down");
    expect(error.extensions).toEqual({ code: "RATE_LIMITED", fields: { email: "locked" }, retryAfter: 30 });
  });
});

describe("appErrorFormatter", () => {
  // Apollo (loaded by Node, not by Vite) sees graphql's CommonJS build, while this file's `import "graphql"`
  // is resolved by Vite to index.mjs: two GraphQLError classes. Wrap errors with the class Apollo checks
  // against, exactly as its executor would.
  const { GraphQLError: ApolloGraphQLError } = createRequire(import.meta.url)("graphql") as typeof GraphQL;

  function capturingLogger() {
    const lines: string[] = [];
    const logger = createLogger("errors-test", "error", { write: (line: string) => void lines.push(line) });
    return { logger, lines };
  }

  test("an AppError thrown in a resolver is formatted with its code and fields", () => {
    const { logger, lines } = capturingLogger();
    const appError = badInput({ email: "must be an email address" }, "Check the form");
    // What graphql-js/Apollo hand to formatError for a resolver error: a located GraphQLError wrapping it.
    const wrapped = new ApolloGraphQLError(appError.message, { originalError: appError, path: ["signUp"] });
    const formatted: GraphQLFormattedError = {
      message: appError.message,
      locations,
      path: ["signUp"],
      extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["AppError: Check the form"] },
    };
    expect(appErrorFormatter(logger)(formatted, wrapped)).toEqual({
      message: "Check the form",
      locations,
      path: ["signUp"],
      extensions: { code: "BAD_USER_INPUT", fields: { email: "must be an email address" } },
    });
    expect(lines).toEqual([]);
  });

  test("retryAfterSeconds becomes extensions.retryAfter", () => {
    const { logger } = capturingLogger();
    const appError = new AppError(ErrorCode.RATE_LIMITED, "Too many attempts", { retryAfterSeconds: 60 });
    const wrapped = new ApolloGraphQLError(appError.message, { originalError: appError, path: ["login"] });
    expect(appErrorFormatter(logger)({ message: appError.message, path: ["login"] }, wrapped).extensions).toEqual({
      code: "RATE_LIMITED",
      retryAfter: 60,
    });
  });

  test("a non-AppError is masked and logged", () => {
    const { logger, lines } = capturingLogger();
    const cause = new Error("connection terminated unexpectedly");
    const wrapped = new ApolloGraphQLError(cause.message, { originalError: cause, path: ["me"] });
    const formatted: GraphQLFormattedError = { message: cause.message, path: ["me"], extensions: { code: "INTERNAL_SERVER_ERROR" } };
    expect(appErrorFormatter(logger)(formatted, wrapped)).toEqual({
      message: "Internal server error",
      path: ["me"],
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      msg: "internal GraphQL error",
      path: ["me"],
      err: { message: "connection terminated unexpectedly" },
    });
  });

  test("end to end through Apollo: resolver AppError keeps code and fields, other errors are masked", async () => {
    const { logger, lines } = capturingLogger();
    const server = new ApolloServer({
      typeDefs: "type Query { invalid: String, broken: String }",
      resolvers: {
        Query: {
          invalid: () => {
            throw badInput({ name: "required" });
          },
          broken: () => {
            throw new Error("SELECT * FROM secrets failed");
          },
        },
      },
      includeStacktraceInErrorResponses: true,
      formatError: appErrorFormatter(logger),
    });
    try {
      const response = await server.executeOperation({ query: "{ invalid broken }" });
      expect(response.body.kind).toBe("single");
      const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
      expect(errors).toEqual([
        {
          message: "Invalid input",
          locations: [{ line: 1, column: 3 }],
          path: ["invalid"],
          extensions: { code: "BAD_USER_INPUT", fields: { name: "required" } },
        },
        { message: "Internal server error", path: ["broken"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
      ]);
      expect(lines).toHaveLength(1);

      const invalid = await server.executeOperation({ query: "{ nope }" });
      const validation = invalid.body.kind === "single" ? invalid.body.singleResult.errors : undefined;
      expect(validation).toEqual([
        {
          message: 'Cannot query field "nope" on type "Query".',
          locations: [{ line: 1, column: 3 }],
          extensions: { code: "BAD_USER_INPUT" },
        },
      ]);
    } finally {
      await server.stop();
    }
  });
});
