import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { wouldCreateCycle, type CategoryDraft } from "../src/domain/category.js";
import {
  CategoryInUseError,
  CategoryNotFoundError,
  CategorySlugTakenError,
  PrismaCategoryRepository,
  type CategoryRepository,
} from "../src/repository/category-repository.js";
import { PrismaServiceRepository, type ServiceRepository } from "../src/repository/service-repository.js";
import { FakeCategoryRepository, FakeServiceRepository } from "./fakes.js";
import { useCatalogDatabases } from "./linguistic-collation.js";
import { resetToEmpty } from "./seeded-tree.js";

// One contract, two implementations (see service-repository.contract.test.ts). Every test starts from an empty tree;
// services are made through the ServiceRepository (a category's usage and the delete restriction need them).
interface Subject {
  repo: CategoryRepository;
  services: ServiceRepository;
}

const databases = useCatalogDatabases("catalog_categories_contract");

const prismaImplementation = (name: string, database: number) => ({
  name,
  create: async (): Promise<Subject> => {
    const { prisma } = databases[database]!;
    await resetToEmpty(prisma);
    return { repo: new PrismaCategoryRepository(prisma), services: new PrismaServiceRepository(prisma) };
  },
});

const implementations: Array<{ name: string; create: () => Promise<Subject> }> = [
  prismaImplementation("PrismaCategoryRepository (real Postgres)", 0),
  prismaImplementation("PrismaCategoryRepository (real Postgres, linguistic collation)", 1),
  {
    name: "FakeCategoryRepository",
    create: async () => {
      const repo = new FakeCategoryRepository([]);
      return { repo, services: new FakeServiceRepository(undefined, repo) };
    },
  },
];

const node = (name: string, parentId: string | null = null, slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-")): CategoryDraft => ({ name, slug, parentId });
const names = (categories: Array<{ name: string }>) => categories.map((c) => c.name);
const noCheck = () => undefined;

/** home → plumbing → leaks; home → b-side; outdoor. */
async function tree(repo: CategoryRepository) {
  const home = await repo.create(node("Home"));
  const outdoor = await repo.create(node("outdoor"));
  const plumbing = await repo.create(node("Plumbing", home.id));
  const bSide = await repo.create(node("b-side", home.id, "b-side-1"));
  const leaks = await repo.create(node("Leaks", plumbing.id));
  return { home, outdoor, plumbing, bSide, leaks };
}

describe.each(implementations)("CategoryRepository contract: $name", ({ create }) => {
  test("create returns the stored category; findByIds (batch, unknown skipped), findBySlug, findByName (any case)", async () => {
    const { repo } = await create();
    const { home, plumbing } = await tree(repo);
    expect(plumbing).toEqual({ id: expect.any(String), name: "Plumbing", slug: "plumbing", parentId: home.id, createdAt: expect.any(Date) });
    const found = await repo.findByIds([plumbing.id, randomUUID(), home.id, home.id]);
    expect(found.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([home, plumbing].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await repo.findByIds([])).toEqual([]);
    expect(await repo.findBySlug("plumbing")).toEqual(plumbing);
    expect(await repo.findBySlug("PLUMBING")).toBeNull();
    expect(await repo.findByName("pLuMbInG")).toEqual(plumbing);
    expect(await repo.findByName("Plumb")).toBeNull();
  });

  test("slugs are unique; an unknown parent is CategoryNotFoundError; nothing is stored for a refused create", async () => {
    const { repo } = await create();
    const home = await repo.create(node("Home"));
    await expect(repo.create(node("Home again", null, "home"))).rejects.toBeInstanceOf(CategorySlugTakenError);
    await expect(repo.create(node("Orphan", randomUUID()))).rejects.toBeInstanceOf(CategoryNotFoundError);
    expect(await repo.findByName("Orphan")).toBeNull();
    expect(names(await repo.roots())).toEqual(["Home"]);
    const race = await Promise.allSettled(Array.from({ length: 4 }, () => repo.create(node("Pools", home.id))));
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of race) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(CategorySlugTakenError);
  });

  test("roots and children by name (case-insensitive, code points); children of many parents in one call", async () => {
    const { repo } = await create();
    const { home, plumbing, leaks } = await tree(repo);
    await repo.create(node("B-side", home.id, "b-side-2"));
    expect(names(await repo.roots())).toEqual(["Home", "outdoor"]);
    const children = await repo.childrenOf([home.id, plumbing.id, leaks.id, randomUUID()]);
    expect(names(children.filter((c) => c.parentId === home.id))).toEqual(["B-side", "b-side", "Plumbing"]);
    expect(children.filter((c) => c.parentId === plumbing.id)).toEqual([leaks]);
    expect(await repo.childrenOf([])).toEqual([]);
  });

  test("ancestorIds: nearest first; empty for a root and an unknown id", async () => {
    const { repo } = await create();
    const { home, plumbing, leaks } = await tree(repo);
    expect(await repo.ancestorIds(leaks.id)).toEqual([plumbing.id, home.id]);
    expect(await repo.ancestorIds(home.id)).toEqual([]);
    expect(await repo.ancestorIds(randomUUID())).toEqual([]);
  });

  test("update renames and re-slugs; a move runs the check with the new parent's ancestors, and a throwing check changes nothing", async () => {
    const { repo } = await create();
    const { home, outdoor, plumbing, leaks } = await tree(repo);
    const seen: Array<[string, string[]]> = [];
    const moved = await repo.update(plumbing.id, { parentId: outdoor.id, name: "Pipes" }, (parent, ancestors) => void seen.push([parent, ancestors]));
    expect(moved).toEqual({ ...plumbing, parentId: outdoor.id, name: "Pipes" });
    expect(seen).toEqual([[outdoor.id, []]]);
    expect(await repo.ancestorIds(leaks.id)).toEqual([plumbing.id, outdoor.id]);

    await expect(
      repo.update(home.id, { parentId: leaks.id, name: "Never" }, (_parent, ancestors) => {
        seen.push([_parent, ancestors]);
        throw new Error("cycle");
      }),
    ).rejects.toThrow("cycle");
    expect(seen.at(-1)).toEqual([leaks.id, [plumbing.id, outdoor.id]]);
    expect(await repo.findByIds([home.id])).toEqual([home]);

    expect(await repo.update(leaks.id, { parentId: null, slug: "leaks-root" }, noCheck)).toMatchObject({ parentId: null, slug: "leaks-root" });
    expect(await repo.update(leaks.id, { name: undefined }, noCheck)).toMatchObject({ name: "Leaks" });
    await expect(repo.update(leaks.id, { slug: "home" }, noCheck)).rejects.toBeInstanceOf(CategorySlugTakenError);
    await expect(repo.update(leaks.id, { parentId: randomUUID() }, noCheck)).rejects.toBeInstanceOf(CategoryNotFoundError);
    expect(await repo.update(randomUUID(), { name: "Ghost" }, noCheck)).toBeNull();
    expect(await repo.update(randomUUID(), { parentId: home.id }, noCheck)).toBeNull();
  });

  test("two concurrent crossing moves (A under B, B under A) cannot together close a cycle", async () => {
    const { repo } = await create();
    for (let round = 0; round < 5; round++) {
      const a = await repo.create(node(`A${round}`));
      const b = await repo.create(node(`B${round}`));
      const guard = (id: string) => (parent: string, ancestors: string[]) => {
        if (wouldCreateCycle(id, parent, ancestors)) throw new Error("cycle");
      };
      const results = await Promise.allSettled([repo.update(a.id, { parentId: b.id }, guard(a.id)), repo.update(b.id, { parentId: a.id }, guard(b.id))]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const [ra, rb] = await repo.findByIds([a.id]).then(async ([x]) => [x, (await repo.findByIds([b.id]))[0]]);
      expect([ra?.parentId === b.id, rb?.parentId === a.id].filter(Boolean)).toHaveLength(1);
    }
  });

  test("usage counts children and services; delete is refused while either exists (CategoryInUseError), false if unknown", async () => {
    const { repo, services } = await create();
    const { home, plumbing, leaks } = await tree(repo);
    const service = await services.create({ name: "Leak fix", description: null, categoryId: leaks.id });
    expect(await repo.usage(home.id)).toEqual({ children: 2, services: 0 });
    expect(await repo.usage(leaks.id)).toEqual({ children: 0, services: 1 });
    expect(await repo.usage(randomUUID())).toEqual({ children: 0, services: 0 });
    await expect(repo.delete(plumbing.id)).rejects.toBeInstanceOf(CategoryInUseError);
    await expect(repo.delete(leaks.id)).rejects.toBeInstanceOf(CategoryInUseError);
    expect(await repo.findByIds([plumbing.id, leaks.id])).toHaveLength(2);
    await services.update(service.id, { categoryId: home.id });
    expect(await repo.delete(leaks.id)).toBe(true);
    expect(await repo.delete(leaks.id)).toBe(false);
    expect(await repo.findByIds([leaks.id])).toEqual([]);
    expect(await repo.usage(plumbing.id)).toEqual({ children: 0, services: 0 });
  });
});
