import { SEEDED_CATEGORIES } from "../src/domain/category.js";
import type { CatalogPrisma } from "../src/repository/prisma.js";

/** Back to what the migrations leave: the seeded category tree, no services, no assignments, no events. */
export async function resetToSeededTree(prisma: CatalogPrisma): Promise<void> {
  await prisma.$executeRaw`TRUNCATE services, provider_services, outbox_events, categories`;
  await prisma.category.createMany({ data: SEEDED_CATEGORIES.map((c) => ({ ...c, createdAt: new Date(0) })) });
}

/** An empty catalog: no categories either. */
export async function resetToEmpty(prisma: CatalogPrisma): Promise<void> {
  await prisma.$executeRaw`TRUNCATE services, provider_services, outbox_events, categories`;
}
