// A minimal protocol-buffers writer: the wire format's varints, length-delimited fields and
// nested messages, which is all an ONNX file needs. Parts are kept as byte chunks and joined
// once, so megabytes of weights are copied once, not pushed byte by byte.

/** A message being written: fields are appended in call order. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  /** A varint field (wire type 0): a non-negative safe integer. */
  int(field: number, value: number): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  /** A length-delimited field (wire type 2) holding raw bytes. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varint(data.length);
    this.push(data);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  /** A nested message field. */
  message(field: number, m: ProtoWriter): this {
    this.tag(field, 2);
    this.varint(m.size);
    for (const p of m.parts) this.push(p);
    return this;
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`protobuf varint: expected a non-negative safe integer, got ${v}`);
    const b: number[] = [];
    while (v > 127) { b.push((v % 128) | 128); v = Math.floor(v / 128); }
    b.push(v);
    this.push(Uint8Array.from(b));
  }

  private push(p: Uint8Array): void {
    this.parts.push(p);
    this.size += p.length;
  }
}
