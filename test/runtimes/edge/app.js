// A user's fetch handler serving an rnn-wasm model, the same code on Cloudflare Workers
// (worker.js) and Deno (deno.js); each runtime supplies the model file's bytes.
//   GET  /info     → runtimeInfo(): which wasm build was loaded, and from where
//   POST /predict  { "x": number[], "shape": number[] } → { "output": number[] }
// Plain JavaScript: Worker and Deno globals stay out of the repository's tsc program.
import { init, load, runtimeInfo, RnnWasmError } from 'rnn-wasm';

let model; // Promise of the loaded model: once per isolate, on the first request

function getModel(modelBytes, initOptions) {
  if (!model) {
    model = init(initOptions).then(() => load(modelBytes));
    model.catch(() => (model = undefined)); // a failed load is retried by the next request
  }
  return model;
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export async function handle(request, modelBytes, initOptions) {
  const m = await getModel(modelBytes, initOptions); // a load failure is a 500, not the client's fault
  const { pathname } = new URL(request.url);
  if (request.method === 'GET' && pathname === '/info') return json(runtimeInfo());
  if (request.method !== 'POST' || pathname !== '/predict') return json({ error: 'not found' }, 404);
  let body;
  try {
    body = await request.json();
  } catch {
    return json({ error: 'BadRequest', message: 'the body is not JSON' }, 400);
  }
  try {
    return json({ output: Array.from(m.predict(body?.x, { shape: body?.shape })) });
  } catch (e) {
    // the library's own errors (wrong shape, non-finite input, …) are the client's: say what was wrong
    if (e instanceof RnnWasmError) return json({ error: e.name, message: e.message }, 400);
    throw e;
  }
}
