import type { JWK } from "jose";
import type { UsersPrisma } from "./prisma.js";

export interface StoredSigningKey {
  kid: string;
  alg: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: Date;
}

export interface SigningKeyRepository {
  list(): Promise<StoredSigningKey[]>;
  /** Inserts unless a key with this kid exists; returns all keys after the insert. */
  add(key: Omit<StoredSigningKey, "createdAt">): Promise<void>;
}

export class PrismaSigningKeyRepository implements SigningKeyRepository {
  constructor(private readonly prisma: UsersPrisma) {}

  async list(): Promise<StoredSigningKey[]> {
    const rows = await this.prisma.signingKey.findMany({ orderBy: { createdAt: "desc" } });
    return rows.map((r) => ({ ...r, privateJwk: r.privateJwk as JWK, publicJwk: r.publicJwk as JWK }));
  }

  async add(key: Omit<StoredSigningKey, "createdAt">): Promise<void> {
    await this.prisma.signingKey.createMany({
      data: [{ ...key, privateJwk: { ...key.privateJwk }, publicJwk: { ...key.publicJwk } }],
      skipDuplicates: true,
    });
  }
}
