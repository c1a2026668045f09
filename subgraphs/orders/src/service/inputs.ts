import { z } from "zod";
import { parseInput } from "@fixup/platform";
import { MAX_COMMENT_LENGTH, MAX_REASON_LENGTH } from "../domain/review.js";

const uuid = (what: string) => z.uuid(`must be a valid ${what} id`);
const money = z.object({ amount: z.number().int("must be a whole number of minor units"), currency: z.string() });
const dateTime = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v));

/** Ranges are the domain's (geoPointProblems); here only the shape. */
export const geoPointInput = z.object({ lat: z.number(), lng: z.number() });
const timeWindowInput = z.object({ from: dateTime, to: dateTime });

export const idInput = (what: string) => uuid(what);

export const createOrderInput = z.object({
  serviceId: uuid("service"),
  title: z.string().trim().min(3, "must be at least 3 characters").max(120, "must be at most 120 characters"),
  description: z.string().trim().min(1, "must not be empty").max(5000, "must be at most 5000 characters"),
  address: z.string().trim().min(3, "must be at least 3 characters").max(300, "must be at most 300 characters"),
  location: geoPointInput,
  city: z.string().trim().max(100, "must be at most 100 characters").nullish(),
  window: timeWindowInput.nullish(),
  scheduledFor: dateTime.nullish(),
  budget: money.nullish(),
});

export const submitOfferInput = z.object({
  orderId: uuid("order"),
  price: money,
  message: z.string().trim().max(2000, "must be at most 2000 characters").nullish(),
  proposedStart: dateTime.nullish(),
  validUntil: dateTime.nullish(),
});

export const reviewInput = z.object({
  orderId: uuid("order"),
  rating: z.number(),
  comment: z.string().trim().max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH} characters`).nullish(),
});

/** Why a job is paused or a review hidden: required, trimmed. */
export const reasonInput = z.string().trim().min(1, "must not be empty").max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`);

export { parseInput };

export const serviceAreasInput = z.array(z.object({ center: geoPointInput, radiusKm: z.number() }));

export const feedInput = z.object({
  near: geoPointInput.nullish(),
  radiusKm: z.number().nullish(),
});
