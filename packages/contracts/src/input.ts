/**
 * What a caller may send for a message type: every field optional, recursively (protobuf fills defaults). Arrays and
 * records keep their element types partial too.
 */
export type Input<T> = T extends Buffer
  ? T
  : T extends (infer E)[]
    ? Input<E>[]
    : T extends object
      ? { [K in keyof T]?: Input<T[K]> | null }
      : T;
