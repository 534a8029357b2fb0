// tg.nn: neural-network building blocks.
// Module and Parameter, and `functional` with the stateless activations and losses.

export * as functional from './functional.js';
export { Module, Parameter, type StateDict } from './module.js';
