import type { GeoPoint } from "./location.js";
import type { Money } from "./money.js";
import type { OfferStatus } from "./offer-status.js";
import type { OrderStatus } from "./order-status.js";
import type { TimeWindow } from "./time-window.js";

export interface Order {
  id: string;
  customerId: string;
  serviceId: string;
  title: string;
  description: string;
  address: string;
  /** Null only on orders created before orders had a place; those never show in a distance feed. */
  location: GeoPoint | null;
  city: string | null;
  /** Null: any time. */
  window: TimeWindow | null;
  scheduledFor: Date | null;
  budget: Money | null;
  status: OrderStatus;
  acceptedOfferId: string | null;
  /** Why the job was last paused (kept after it resumes, replaced by the next pause); null if it never was. */
  pauseReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Offer {
  id: string;
  orderId: string;
  providerId: string;
  price: Money;
  message: string | null;
  proposedStart: Date | null;
  /** After this instant a PENDING offer can no longer be accepted and shows as EXPIRED; null: no limit. */
  validUntil: Date | null;
  /** As stored; what clients see is effectiveStatus(offer, now). */
  status: OfferStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface Review {
  id: string;
  orderId: string;
  authorId: string;
  providerId: string;
  rating: number;
  comment: string | null;
  /** When a moderator hid it (null: visible); hidden reviews are seen by staff only and do not count in ratings. */
  hiddenAt: Date | null;
  hiddenReason: string | null;
  createdAt: Date;
}

/** Integration events orders publishes (payloads are what consumers such as chat need, nothing more). */
export const OrderEvents = {
  OrderCreated: "OrderCreated",
  OfferSubmitted: "OfferSubmitted",
  OfferAccepted: "OfferAccepted",
  OrderStatusChanged: "OrderStatusChanged",
} as const;
