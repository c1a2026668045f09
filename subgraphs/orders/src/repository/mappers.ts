import type { Offer, Order, Review } from "../domain/order.js";
import type { Offer as OfferRow, Order as OrderRow, Review as ReviewRow } from "../generated/prisma/client.js";

export const toOrder = (r: OrderRow): Order => ({
  id: r.id,
  customerId: r.customerId,
  serviceId: r.serviceId,
  title: r.title,
  description: r.description,
  address: r.address,
  location: r.lat !== null && r.lng !== null ? { lat: r.lat, lng: r.lng } : null,
  city: r.city,
  window: r.windowFrom !== null && r.windowTo !== null ? { from: r.windowFrom, to: r.windowTo } : null,
  scheduledFor: r.scheduledFor,
  budget: r.budgetAmount !== null && r.budgetCurrency !== null ? { amount: r.budgetAmount, currency: r.budgetCurrency } : null,
  status: r.status,
  acceptedOfferId: r.acceptedOfferId,
  pauseReason: r.pauseReason,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toOffer = (r: OfferRow): Offer => ({
  id: r.id,
  orderId: r.orderId,
  providerId: r.providerId,
  price: { amount: r.priceAmount, currency: r.priceCurrency },
  message: r.message,
  proposedStart: r.proposedStart,
  validUntil: r.validUntil,
  status: r.status,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toReview = (r: ReviewRow): Review => ({ ...r });
