import sharp from "sharp";
import { AppError, ErrorCode } from "@fixup/platform";
import { AVATAR_MAX_SIDE } from "../domain/avatar.js";

export interface EncodedImage {
  data: Buffer;
  contentType: string;
  extension: string;
}

/** Turns an accepted upload into the bytes we store. A port, so service tests can count or fail encodes. */
export interface ImageEncoder {
  encode(input: Buffer): Promise<EncodedImage>;
}

/**
 * Decodes with sharp and always re-encodes to WebP: one output format keeps serving simple, WebP is smaller than
 * JPEG/PNG at the same quality and every current browser shows it. Re-encoding also drops everything but pixels:
 * sharp writes no EXIF/XMP/ICC metadata unless asked (GPS positions in phone photos never leave), and any
 * payload smuggled after the image data is gone.
 */
export function sharpAvatarEncoder(maxSide = AVATAR_MAX_SIDE): ImageEncoder {
  return {
    async encode(input) {
      try {
        // limitInputPixels: a 5 MiB PNG can declare 16k×16k pixels of one colour; refuse before allocating that.
        const data = await sharp(input, { limitInputPixels: 50_000_000, failOn: "error" })
          .rotate() // apply the EXIF orientation before the metadata that carries it is dropped
          .resize(maxSide, maxSide, { fit: "inside", withoutEnlargement: true })
          .webp({ quality: 82 })
          .toBuffer();
        return { data, contentType: "image/webp", extension: "webp" };
      } catch {
        // Magic bytes matched but the body is truncated or corrupt (or too many pixels): the client's mistake.
        throw new AppError(ErrorCode.BAD_USER_INPUT, "The image could not be decoded");
      }
    },
  };
}
