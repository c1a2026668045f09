import busboy, { type Busboy } from "busboy";
import type { Request } from "express";
import type { Readable } from "node:stream";
import { AppError, discardRequestBody, ErrorCode } from "@fixup/platform";

export interface SingleFileOptions {
  /** The one form field that must carry the file. */
  field: string;
  /** Cap on the file's bytes, enforced as they arrive: nothing beyond it is ever held in memory. */
  maxBytes: number;
  /** Runs once on the first `headBytes` bytes (or the whole file if shorter) before more is read; throw to refuse. */
  inspect?: (head: Buffer) => Promise<unknown>;
  headBytes?: number;
}

/** After refusing an upload we keep reading (and dropping) this much so the client sees our answer, then hang up. */
const DRAIN_BUDGET_BYTES = 16 * 1024 * 1024;

const badRequest = (field: string, message: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { fields: { [field]: message } });

/**
 * Reads exactly one file part of a multipart/form-data request into a bounded buffer. Only framing lives here
 * (content type, field name, file count, size); what the bytes mean is the caller's `inspect` and service.
 */
export function readSingleFile(req: Request, options: SingleFileOptions): Promise<Buffer> {
  const { field } = options;
  return new Promise((resolve, reject) => {
    let settled = false;
    let parser: Busboy | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (parser) {
        const stopped = parser;
        req.unpipe(stopped);
        // Not synchronously: fail() may run inside one of busboy's own callbacks, which touch its state after.
        setImmediate(() => stopped.destroy());
      }
      discardRequestBody(req, DRAIN_BUDGET_BYTES);
      reject(error);
    };

    if (!req.is("multipart/form-data")) {
      return fail(new AppError(ErrorCode.BAD_USER_INPUT, `Expected multipart/form-data with the file in field "${field}"`, { status: 415 }));
    }
    try {
      parser = busboy({
        headers: req.headers,
        // files: 1 makes a second file part raise filesLimit instead of being parsed. Busboy signals `limit` on
        // *reaching* fileSize, so one byte more: a file of exactly maxBytes is allowed.
        limits: { files: 1, fileSize: options.maxBytes + 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 20 },
      });
    } catch (error) {
      return fail(badRequest(field, `Malformed multipart request: ${(error as Error).message}`));
    }

    let file: Promise<Buffer> | undefined;
    parser.on("file", (name, stream) => {
      stream.on("error", () => {}); // destroying the parser after a refusal errors its open file stream
      if (name !== field) {
        stream.resume();
        return fail(badRequest(field, `Expected the file in field "${field}", got "${name}"`));
      }
      stream.on("limit", () => fail(tooLarge(options.maxBytes)));
      file = collect(stream, options);
      file.catch(fail);
    });
    parser.on("filesLimit", () => fail(badRequest(field, "Send exactly one file")));
    parser.on("partsLimit", () => fail(badRequest(field, "Too many form parts")));
    parser.on("error", (error: unknown) => fail(badRequest(field, `Malformed multipart body: ${(error as Error).message}`)));
    // Busboy closes only after every part is parsed and each file stream has ended: now the count is final.
    parser.on("close", () => {
      if (!file) return fail(badRequest(field, `Missing file in field "${field}"`));
      file.then((data) => {
        if (settled) return;
        settled = true;
        resolve(data);
      }, fail);
    });
    // A client that goes away mid-upload would otherwise leave this promise (and its buffers) pending forever.
    req.on("close", () => {
      if (!req.complete) fail(new AppError(ErrorCode.BAD_USER_INPUT, "Upload aborted"));
    });
    req.pipe(parser);
  });
}

const tooLarge = (maxBytes: number) =>
  new AppError(ErrorCode.BAD_USER_INPUT, `File too large: the limit is ${maxBytes / (1024 * 1024)} MiB`, { status: 413 });

async function collect(stream: Readable, options: SingleFileOptions): Promise<Buffer> {
  const headBytes = options.headBytes ?? 4100;
  const chunks: Buffer[] = [];
  let size = 0;
  let inspected = !options.inspect;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > options.maxBytes) throw tooLarge(options.maxBytes); // busboy's fileSize limit fires first; belt and braces
    chunks.push(chunk);
    if (!inspected && size >= headBytes) {
      inspected = true;
      await options.inspect?.(Buffer.concat(chunks, size)); // the stream waits meanwhile: no more is read
    }
  }
  const data = Buffer.concat(chunks, size);
  if (!inspected) await options.inspect?.(data);
  return data;
}
