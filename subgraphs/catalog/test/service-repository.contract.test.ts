import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { OutboxRow } from "@fixup/platform";
import { SEEDED } from "../src/domain/category.js";
import { CatalogEvents } from "../src/domain/provider.js";
import type { PredefinedService, ServiceDraft } from "../src/domain/service.js";
import { CategoryNotFoundError } from "../src/repository/category-repository.js";
import { PrismaServiceRepository, ServiceNameTakenError, type ServiceRepository } from "../src/repository/service-repository.js";
import { FakeServiceRepository } from "./fakes.js";
import { useCatalogDatabases } from "./linguistic-collation.js";
import { resetToSeededTree } from "./seeded-tree.js";

// One contract, two implementations: the fake the service tests use must behave as the Prisma repository does on
// real Postgres — here also on a database whose text columns sort linguistically, as a production server's locale
// may make them. Only the repository interface is used; every test starts from the seeded category tree and no
// services.
const databases = useCatalogDatabases("catalog_services_contract");

const prismaImplementation = (name: string, database: number) => ({
  name,
  create: async (): Promise<Subject> => {
    const { prisma } = databases[database]!;
    await resetToSeededTree(prisma);
    return {
      repo: new PrismaServiceRepository(prisma),
      outbox: async () =>
        (await prisma.outboxEvent.findMany({ orderBy: { seq: "asc" } })).map(({ type, payload }) => ({ type, payload: payload as OutboxRow["payload"] })),
    };
  },
});

/** `outbox` stands in for what the interface cannot show: the events written so far (type and payload, in order). */
interface Subject {
  repo: ServiceRepository;
  outbox(): Promise<Array<Pick<OutboxRow, "type" | "payload">>>;
}

const implementations: Array<{ name: string; create: () => Promise<Subject> }> = [
  prismaImplementation("PrismaServiceRepository (real Postgres)", 0),
  prismaImplementation("PrismaServiceRepository (real Postgres, linguistic collation)", 1),
  {
    name: "FakeServiceRepository",
    create: async () => {
      const repo = new FakeServiceRepository();
      return { repo, outbox: async () => repo.outbox.map(({ type, payload }) => ({ type, payload })) };
    },
  },
];

const draft = (name: string, more: Partial<ServiceDraft> = {}): ServiceDraft => ({ name, description: null, categoryId: SEEDED.handyman, ...more });
const predefined = (name: string, more: Partial<ServiceDraft> = {}): PredefinedService => ({ id: randomUUID(), ...draft(name, more) });
const names = (services: Array<{ name: string }>) => services.map((s) => s.name);

describe.each(implementations)("ServiceRepository contract: $name", ({ create }) => {
  test("create returns the stored service; findByIds finds it in one batch and skips unknown ids", async () => {
    const { repo } = await create();
    const roofing = await repo.create(draft("Roofing", { description: "Tiles" }));
    expect(roofing).toEqual({
      id: expect.any(String), name: "Roofing", description: "Tiles", categoryId: SEEDED.handyman, category: "Handyman", createdAt: expect.any(Date), updatedAt: expect.any(Date),
    });
    const paving = await repo.create(draft("Paving"));
    const found = await repo.findByIds([paving.id, randomUUID(), roofing.id]);
    expect(found.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([roofing, paving].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await repo.findByIds([])).toEqual([]);
    expect(await repo.findByIds([roofing.id, roofing.id])).toEqual([roofing]);
  });

  test("create and seed announce each service they insert exactly once (ServiceCreated); a refused create announces nothing", async () => {
    const { repo, outbox } = await create();
    const created = (serviceId: string) => ({ type: CatalogEvents.ServiceCreated, payload: { serviceId, categoryId: SEEDED.handyman } });
    const roofing = await repo.create(draft("Roofing"));
    await expect(repo.create(draft("Roofing"))).rejects.toBeInstanceOf(ServiceNameTakenError);
    const plumbing = predefined("Plumbing");
    expect(await repo.seed([plumbing, predefined("roofing")])).toBe(1);
    expect(await repo.seed([plumbing])).toBe(0);
    await repo.update(roofing.id, { description: "Tiles" });
    expect(await outbox()).toEqual([created(roofing.id), created(plumbing.id)]);
  });

  test("names are unique as written: the same name is taken, another case is the service layer's rule (findByName)", async () => {
    const { repo } = await create();
    await repo.create(draft("Roofing"));
    await expect(repo.create(draft("Roofing", { categoryId: SEEDED.other }))).rejects.toBeInstanceOf(ServiceNameTakenError);
    const lower = await repo.create(draft("roofing"));
    expect(lower).toMatchObject({ name: "roofing" });
    // Of names that differ only in case, findByName answers the first in code-point order, always the same one.
    expect(await repo.findByName("ROOFING")).toMatchObject({ name: "Roofing" });
    await repo.update(lower.id, { name: "Roofing2" });
    await repo.update(lower.id, { name: "ROOFING" });
    expect(await repo.findByName("roofing")).toMatchObject({ id: lower.id, name: "ROOFING" });
    const race = await Promise.allSettled(Array.from({ length: 4 }, () => repo.create(draft("Paving"))));
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of race) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ServiceNameTakenError);
  });

  test("findByName is case-insensitive, exact otherwise (no prefix, no trimming)", async () => {
    const { repo } = await create();
    const roofing = await repo.create(draft("Roofing"));
    expect(await repo.findByName("rOOFING")).toEqual(roofing);
    expect(await repo.findByName("Roof")).toBeNull();
    expect(await repo.findByName(" Roofing ")).toBeNull();
    expect(await repo.findByName("Paving")).toBeNull();
  });

  test("update changes only what it is given; unknown id → null; another service's name → ServiceNameTakenError", async () => {
    const { repo } = await create();
    const roofing = await repo.create(draft("Roofing", { description: "Tiles" }));
    await repo.create(draft("Paving"));
    const updated = await repo.update(roofing.id, { categoryId: SEEDED.outdoor });
    expect(updated).toMatchObject({ id: roofing.id, name: "Roofing", description: "Tiles", categoryId: SEEDED.outdoor, category: "Outdoor", createdAt: roofing.createdAt });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(roofing.updatedAt.getTime());
    expect(await repo.findByIds([roofing.id])).toEqual([updated]);
    expect(await repo.update(roofing.id, { name: "Roofing", description: null })).toMatchObject({ name: "Roofing", description: null });
    // A key present but undefined is no change (as Prisma reads it), not a cleared column.
    expect(await repo.update(roofing.id, { name: undefined, categoryId: undefined, description: "Slate" })).toMatchObject({ name: "Roofing", category: "Outdoor", description: "Slate" });
    await expect(repo.update(roofing.id, { categoryId: randomUUID() })).rejects.toBeInstanceOf(CategoryNotFoundError);
    await expect(repo.create(draft("Orphan", { categoryId: randomUUID() }))).rejects.toBeInstanceOf(CategoryNotFoundError);
    expect(await repo.findByName("Orphan")).toBeNull();
    await expect(repo.update(roofing.id, { name: "Paving" })).rejects.toBeInstanceOf(ServiceNameTakenError);
    expect(await repo.findByName("Roofing")).toMatchObject({ id: roofing.id });
    expect(await repo.update(randomUUID(), { name: "Ghost" })).toBeNull();
    expect(await repo.findByName("Ghost")).toBeNull();
  });

  test("list: ordered by name case-insensitively (ties by the exact name), filtered by category name and search", async () => {
    const { repo } = await create();
    await repo.create(draft("b-side", { categoryId: SEEDED.delivery }));
    await repo.create(draft("Bathrooms", { description: "Tiles & 100% grout" }));
    await repo.create(draft("B-side", { categoryId: SEEDED.delivery }));
    await repo.create(draft("attic_conversion", { description: null, categoryId: SEEDED.renovation }));
    expect(names(await repo.list({}))).toEqual(["attic_conversion", "B-side", "b-side", "Bathrooms"]);
    expect(names(await repo.list({ category: "DELIVERY" }))).toEqual(["B-side", "b-side"]);
    expect(names(await repo.list({ category: "Deliv" }))).toEqual([]);
    expect(names(await repo.list({ search: "SIDE" }))).toEqual(["B-side", "b-side"]);
    expect(names(await repo.list({ search: "grout" }))).toEqual(["Bathrooms"]);
    expect(names(await repo.list({ search: "0% g" }))).toEqual(["Bathrooms"]);
    expect(names(await repo.list({ search: "%" }))).toEqual(["Bathrooms"]);
    expect(names(await repo.list({ search: "c_c" }))).toEqual(["attic_conversion"]);
    expect(names(await repo.list({ search: "_" }))).toEqual(["attic_conversion"]);
    expect(names(await repo.list({ search: "' OR '1'='1" }))).toEqual([]);
    expect(names(await repo.list({ category: "handyman", search: "bath" }))).toEqual(["Bathrooms"]);
    expect(names(await repo.list({ category: "delivery", search: "bath" }))).toEqual([]);
  });

  test("list: categoryId includes the whole subtree; combined with the other filters", async () => {
    const { repo } = await create();
    await repo.create(draft("Boiler check", { categoryId: SEEDED.boilers }));
    await repo.create(draft("AC check", { categoryId: SEEDED.airConditioning }));
    await repo.create(draft("Leak fix", { categoryId: SEEDED.plumbing }));
    await repo.create(draft("Lawn care", { categoryId: SEEDED.gardening }));
    expect(names(await repo.list({ categoryId: SEEDED.home }))).toEqual(["AC check", "Boiler check", "Leak fix"]);
    expect(names(await repo.list({ categoryId: SEEDED.heatingCooling }))).toEqual(["AC check", "Boiler check"]);
    expect(names(await repo.list({ categoryId: SEEDED.boilers }))).toEqual(["Boiler check"]);
    expect(names(await repo.list({ categoryId: SEEDED.kitchens }))).toEqual([]);
    expect(names(await repo.list({ categoryId: randomUUID() }))).toEqual([]);
    expect(names(await repo.list({ categoryId: SEEDED.home, search: "boiler" }))).toEqual(["Boiler check"]);
    expect(names(await repo.list({ categoryId: SEEDED.home, category: "plumbing" }))).toEqual(["Leak fix"]);
  });

  test("search forgives typos and word order, matches through categories and their ancestors, ranks best first", async () => {
    const { repo } = await create();
    await repo.create(draft("Leak repair", { categoryId: SEEDED.plumbing }));
    await repo.create(draft("Pipe installation", { categoryId: SEEDED.plumbing }));
    await repo.create(draft("Roof repair", { categoryId: SEEDED.roofing }));
    await repo.create(draft("Boiler repair", { categoryId: SEEDED.boilers, description: "No hot water" }));
    await repo.create(draft("Lawn mowing", { categoryId: SEEDED.gardening }));
    expect(names(await repo.list({ search: "plumbr" }))).toEqual(["Leak repair", "Pipe installation"]);
    expect(names(await repo.list({ search: "repair leak" }))[0]).toBe("Leak repair");
    expect(names(await repo.list({ search: "repair leak" }))).toEqual(expect.arrayContaining(["Leak repair", "Roof repair", "Boiler repair"]));
    expect(names(await repo.list({ search: "lawn mowign" }))).toEqual(["Lawn mowing"]);
    expect(names(await repo.list({ search: "outdor" }))).toEqual(["Lawn mowing", "Roof repair"]);
    expect(names(await repo.list({ search: "hot water" }))).toEqual(["Boiler repair"]);
    expect(names(await repo.list({ search: "heatin" }))).toEqual(["Boiler repair"]);
  });

  test("inCategories: services directly in the given categories, by name, in one call", async () => {
    const { repo } = await create();
    const boiler = await repo.create(draft("Boiler check", { categoryId: SEEDED.boilers }));
    await repo.create(draft("AC check", { categoryId: SEEDED.airConditioning }));
    await repo.create(draft("Alpha", { categoryId: SEEDED.boilers }));
    expect(names(await repo.inCategories([SEEDED.boilers, SEEDED.heatingCooling, randomUUID()]))).toEqual(["Alpha", "Boiler check"]);
    expect(await repo.inCategories([])).toEqual([]);
    expect((await repo.inCategories([SEEDED.boilers])).find((s) => s.id === boiler.id)).toEqual(boiler);
  });

  test("seed inserts what is missing by id and by name (any case), returns how many, never overwrites", async () => {
    const { repo } = await create();
    const plumbing = predefined("Plumbing");
    const gardening = predefined("Gardening", { categoryId: SEEDED.gardening });
    const moving = predefined("Moving");
    await repo.create(draft("gardening", { categoryId: SEEDED.outdoor }));
    expect(await repo.seed([plumbing, gardening])).toBe(1);
    expect(await repo.findByIds([plumbing.id])).toEqual([expect.objectContaining({ ...plumbing, createdAt: expect.any(Date) })]);
    expect(await repo.findByIds([gardening.id])).toEqual([]);
    expect(await repo.seed([plumbing, gardening])).toBe(0);

    await repo.update(plumbing.id, { name: "Pipes", description: "Admin's words" });
    expect(await repo.seed([plumbing, gardening, moving])).toBe(1);
    expect(await repo.findByIds([plumbing.id])).toEqual([expect.objectContaining({ name: "Pipes", description: "Admin's words" })]);
    expect(names(await repo.list({}))).toEqual(["gardening", "Moving", "Pipes"]);
    expect(await repo.seed([])).toBe(0);
    // Names are compared as given (lower-cased, not trimmed): predefined names are already normalised labels.
    expect(await repo.seed([predefined(" moving")])).toBe(1);
    // A predefined service whose category is gone (an admin deleted it) is not seeded.
    expect(await repo.seed([predefined("Ghost", { categoryId: randomUUID() })])).toBe(0);
  });
});
