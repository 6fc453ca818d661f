// Vite 8: nothing for rnn-wasm, in `vite build` or the dev server. The build emits both .wasm
// files the package refers to with new URL(…, import.meta.url); the dev server's pre-bundling
// rewrites those URLs to the files in node_modules/rnn-wasm/dist.
import { defineConfig } from 'vite';

export default defineConfig({});
