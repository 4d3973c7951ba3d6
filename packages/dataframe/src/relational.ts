/** merge, sortValues, setIndex, dropDuplicates, repartition (implementations in ./relational/). */
export { merge, type MergeOptions } from "./relational/merge.js";
export { sortValues, setIndex, type SortOptions, type SetIndexOptions } from "./relational/sort.js";
export { dropDuplicates, type DropDuplicatesOptions } from "./relational/dedupe.js";
export { repartition, type RepartitionOptions } from "./relational/repartition.js";
