// `import m from './x.wasm'` under workerd/Wrangler: a compiled module.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
