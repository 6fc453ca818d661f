import { makeConsumer } from './consumer.js';

// Once per vitest run, before any test file: the packed package for the runtime tests.
export default function setup(): void {
  makeConsumer();
}
