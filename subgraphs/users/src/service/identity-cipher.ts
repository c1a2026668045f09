// AES-256-GCM for identity numbers: a random 12-byte IV per value, the 16-byte tag checked on decryption, the key id
// stored beside each value so keys can rotate. The owner's user id is the additional authenticated data: a ciphertext
// copied onto another account's row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { IdentityKeyring } from "./identity-keys.js";

export interface EncryptedValue {
  keyId: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

export class IdentityKeyUnknownError extends Error {
  constructor(readonly keyId: string) {
    super(`identity number encrypted under key "${keyId}", which is not configured (IDENTITY_KEYS)`);
    this.name = "IdentityKeyUnknownError";
  }
}

export class IdentityDecryptionError extends Error {
  constructor(keyId: string) {
    super(`identity number under key "${keyId}" failed authentication (tampered, or the key's material changed)`);
    this.name = "IdentityDecryptionError";
  }
}

const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class IdentityCipher {
  constructor(private readonly keyring: IdentityKeyring) {}

  get activeKeyId(): string {
    return this.keyring.active.id;
  }

  encrypt(plaintext: string, ownerId: string): EncryptedValue {
    const { id, key } = this.keyring.active;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(ownerId, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return { keyId: id, iv, ciphertext, tag: cipher.getAuthTag() };
  }

  decrypt(value: EncryptedValue, ownerId: string): string {
    const entry = this.keyring.byId.get(value.keyId);
    if (!entry) throw new IdentityKeyUnknownError(value.keyId);
    try {
      const decipher = createDecipheriv(ALGORITHM, entry.key, value.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(ownerId, "utf8"));
      decipher.setAuthTag(value.tag);
      return Buffer.concat([decipher.update(value.ciphertext), decipher.final()]).toString("utf8");
    } catch {
      throw new IdentityDecryptionError(value.keyId);
    }
  }
}
