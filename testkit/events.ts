/**
 * Extracted events for test doubles and tests: the tuple's fields beyond group, type and description, empty unless
 * given.
 */
import type { EventDetails } from "../src/domain/events.ts";

export const noDetails = (over: Partial<EventDetails> = {}): EventDetails => ({
  time: "",
  location: "",
  entities: [],
  industries: [],
  companies: [],
  attributes: {},
  ...over,
});
