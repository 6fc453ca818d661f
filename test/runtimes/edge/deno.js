// Deno: the same fetch handler, called in-process on a list of requests; prints the answers
// and which file of the package 'rnn-wasm' resolved to.
// deno run deno.js <model.safetensors> <requests.json> [plain|relaxed]
//   requests.json: [{ "method": "GET" | "POST", "path": "/info", "body"?: any }]
import { handle } from './app.js';

const [modelPath, requestsPath, simd] = Deno.args;
const modelBytes = await Deno.readFile(modelPath);
const answers = [];
for (const { method, path, body } of JSON.parse(await Deno.readTextFile(requestsPath))) {
  const request = new Request(new URL(path, 'http://deno.local'), { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const response = await handle(request, modelBytes, simd ? { simd } : undefined);
  answers.push({ status: response.status, body: await response.json() });
}
console.log(JSON.stringify({ entry: import.meta.resolve('rnn-wasm'), answers }));
