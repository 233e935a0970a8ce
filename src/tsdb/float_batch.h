// Bulk reads of float samples from a SampleIterator, for readers that walk whole series (the
// PromQL selectors): the head's iterator decodes its XOR chunks straight into the caller's
// arrays instead of one virtual Next()/At() pair per sample.
//
//   Timestamp t[256];
//   double v[256];
//   for (size_t n; (n = NextFloats(*it, t, v, 256)) > 0;) { ... }
//   RETURN_IF_ERROR(it->Err());
#ifndef SUNDIAL_TSDB_FLOAT_BATCH_H_
#define SUNDIAL_TSDB_FLOAT_BATCH_H_

#include <cstddef>

#include "tsdb/storage.h"

namespace sundial::tsdb {

// Reads up to n further float samples into t[] and v[] as repeated Next()/At() would, skipping
// samples of other types; returns how many, 0 only at the end or on an error (it.Err()). The
// iterator stays on the last sample read, so Next() and Seek() continue after it.
size_t NextFloats(SampleIterator& it, Timestamp* t, double* v, size_t n);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_FLOAT_BATCH_H_
