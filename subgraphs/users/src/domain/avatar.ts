/** Upload cap, counted on the raw file bytes as they stream in (before any decoding). */
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

/** Longest side of a stored avatar: enough for retina profile pictures, small enough to serve cheaply. */
export const AVATAR_MAX_SIDE = 1024;

/** What we accept, decided by magic bytes, never by the file name or the client's Content-Type. */
export const AVATAR_INPUT_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type AvatarInputType = (typeof AVATAR_INPUT_TYPES)[number];

export const isAvatarInputType = (mime: string): mime is AvatarInputType =>
  (AVATAR_INPUT_TYPES as readonly string[]).includes(mime);

/**
 * Random, unguessable, never reused: a new upload gets a new key, so caches (CDN, browsers) can keep an object
 * forever and the old object can be deleted independently of the new one.
 */
export const avatarKey = (userId: string, randomId: string, extension: string): string =>
  `avatars/${userId}/${randomId}.${extension}`;
