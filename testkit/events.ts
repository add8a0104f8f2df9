import type { EventDetails } from "../src/domain/events.ts";
/**
 * Extracted events for test doubles and tests: the tuple's fields beyond group, type and description, empty unless
 * given.
 */

export const noDetails = (over: Partial<EventDetails> = {}): EventDetails => ({
  time: "",
  location: "",
  entities: [],
  industries: [],
  companies: [],
  attributes: {},
  ...over,
});
