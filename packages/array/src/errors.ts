/** Typed errors of the array collection: raised at the call that caused them, with the shapes in the message. */
import { DaskError } from "@dask-ts/core";

/** Shapes that cannot broadcast, or an operation given an array of the wrong shape. */
export class ShapeError extends DaskError {
  override name = "ShapeError";
}

/** Chunks that do not fit the shape. */
export class ChunkError extends DaskError {
  override name = "ChunkError";
}

/** An axis outside the array's dimensions. */
export class AxisError extends DaskError {
  override name = "AxisError";
}

/** An index outside the array, or an index text that cannot be read. */
export class IndexError extends DaskError {
  override name = "IndexError";
}

/** A dtype that is not supported. */
export class DTypeError extends DaskError {
  override name = "DTypeError";
}
