// The build (scripts/playground.mjs) supplies this module: each op's math comment from src/autograd/ops.ts.
declare module 'virtual:vjp-rules' {
  const rules: Record<string, string>;
  export default rules;
}
