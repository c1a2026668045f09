import DataLoader from "dataloader";
import {
  badInput,
  forbidden,
  notFound,
  pageRequest,
  toConnection,
  type Connection,
  type PageArgs,
  type Viewer,
} from "@fixup/platform";
import {
  accessReasonProblem,
  canRevealIdentityNumber,
  identityNumberProblem,
  identityPreview,
  identityRequirement,
  normalizeIdentityNumber,
} from "../domain/identity-number.js";
import type { Role } from "../domain/generated/roles.js";
import { accessCursor, type IdentityAccess, type IdentityRepository, type NewIdentity } from "../repository/identity-repository.js";
import type { IdentityCipher } from "./identity-cipher.js";

export interface IdentityServiceDeps {
  identities: IdentityRepository;
  cipher: IdentityCipher;
  /** IDENTITY_NUMBER_PATTERN, compiled. */
  pattern: RegExp;
}

export interface RotationReport {
  /** Values re-encrypted under the active key by this run. */
  reencrypted: number;
  /** Values another run (or a profile update) moved first; nothing to do for them. */
  skipped: number;
  activeKeyId: string;
  /** Rows per key id after the run. */
  byKey: Record<string, number>;
}

export const DEFAULT_ROTATION_BATCH = 200;

/** Provider identity numbers: checking and encrypting them, previews, the audited full read, key rotation. */
export class IdentityService {
  constructor(private readonly deps: IdentityServiceDeps) {}

  /**
   * Decides whether an account going from `currentRoles` to `nextRoles` must or may give `raw` now and, when it gives
   * one, returns it checked and encrypted for `ownerId`. BAD_USER_INPUT on `field` otherwise.
   */
  prepare(args: {
    currentRoles: readonly Role[];
    nextRoles: readonly Role[];
    hasOnFile: boolean;
    raw: string | undefined;
    ownerId: string;
    field?: string;
  }): NewIdentity | undefined {
    const field = args.field ?? "identityNumber";
    const requirement = identityRequirement(args.currentRoles, args.nextRoles, args.hasOnFile, args.raw !== undefined);
    switch (requirement.kind) {
      case "required":
        throw badInput({ [field]: "is required for providers" }, "Providers give their personal identification number");
      case "not-a-provider":
        throw badInput({ [field]: "only providers give an identity number" }, "Only providers give an identity number");
      case "already-on-file":
        throw badInput({ [field]: "is already on file; it cannot be changed here" }, "An identity number is already on file");
      case "ok":
        break;
    }
    if (args.raw === undefined) return undefined;
    const value = normalizeIdentityNumber(args.raw);
    const problem = identityNumberProblem(value, this.deps.pattern);
    if (problem) throw badInput({ [field]: problem });
    return { ...this.deps.cipher.encrypt(value, args.ownerId), preview: identityPreview(value) };
  }

  async hasOnFile(userId: string): Promise<boolean> {
    return (await this.deps.identities.findPreviews([userId])).length > 0;
  }

  /** Per request: previews of many users in one query. Visibility is the caller's (resolver's) check. */
  createPreviewLoader(): DataLoader<string, string | null> {
    return new DataLoader(async (ids) => {
      const found = new Map((await this.deps.identities.findPreviews(ids)).map((r) => [r.userId.toLowerCase(), r.preview]));
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    });
  }

  /** The full number, for an ADMIN with a reason; the read is audited in its own transaction. */
  async reveal(viewer: Viewer, userId: string, reason: string): Promise<string> {
    if (!canRevealIdentityNumber(viewer)) throw forbidden("Only an admin reads identity numbers");
    const problem = accessReasonProblem(reason);
    if (problem) throw badInput({ reason: problem });
    const stored = await this.deps.identities.readAudited(userId, { adminId: viewer.userId, reason: reason.trim() });
    if (!stored) throw notFound("Provider identity number");
    // A missing key or a tampered row throws (an internal error: the operator's problem, logged without the value).
    return this.deps.cipher.decrypt(stored, stored.userId);
  }

  async accessLog(viewer: Viewer, args: PageArgs & { userId?: string | null }): Promise<Connection<IdentityAccess>> {
    if (!canRevealIdentityNumber(viewer)) throw forbidden("Only an admin reads the identity access log");
    const page = pageRequest(args);
    const { rows, totalCount } = await this.deps.identities.listAccess({ userId: args.userId ?? undefined }, page);
    return toConnection(rows, page, totalCount, accessCursor, (r) => r);
  }

  /**
   * Re-encrypts every value not under the active key, `batchSize` at a time. Idempotent: a second run finds nothing;
   * two concurrent runs never write one row twice (the update is conditional on the old key id).
   */
  async rotate(batchSize = DEFAULT_ROTATION_BATCH): Promise<RotationReport> {
    const active = this.deps.cipher.activeKeyId;
    let reencrypted = 0;
    let skipped = 0;
    const failed = new Set<string>();
    for (;;) {
      const batch = (await this.deps.identities.findNotUnderKey(active, batchSize + failed.size)).filter((r) => !failed.has(r.userId));
      if (!batch.length) break;
      for (const row of batch.slice(0, batchSize)) {
        const plain = this.deps.cipher.decrypt(row, row.userId);
        const next = this.deps.cipher.encrypt(plain, row.userId);
        if (await this.deps.identities.replaceEncryption(row.userId, row.keyId, next)) reencrypted++;
        else {
          skipped++;
          failed.add(row.userId);
        }
      }
    }
    return { reencrypted, skipped, activeKeyId: active, byKey: await this.deps.identities.countByKey() };
  }
}
