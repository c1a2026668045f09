import { fileTypeFromBuffer } from "file-type";
import { AppError, ErrorCode } from "@fixup/platform";
import { AVATAR_INPUT_TYPES, isAvatarInputType, type AvatarInputType } from "../domain/avatar.js";

/** file-type never needs more than this many leading bytes to tell the formats we accept apart. */
export const SNIFF_BYTES = 4100;

export const unsupportedMediaType = (message: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { status: 415 });

/**
 * The avatar's real type, from its magic bytes. The file name and the part's Content-Type are the client's
 * claims and are ignored: an HTML page named `.png` is HTML, and must never be stored and served as an image.
 */
export async function detectAvatarType(head: Uint8Array): Promise<AvatarInputType> {
  if (head.length === 0) throw new AppError(ErrorCode.BAD_USER_INPUT, "The uploaded file is empty");
  const detected = await fileTypeFromBuffer(head.subarray(0, SNIFF_BYTES));
  if (!detected || !isAvatarInputType(detected.mime)) {
    throw unsupportedMediaType(`Unsupported image type${detected ? ` (${detected.mime})` : ""}; use ${AVATAR_INPUT_TYPES.join(", ")}`);
  }
  return detected.mime;
}
