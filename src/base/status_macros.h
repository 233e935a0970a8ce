// Early-return helpers for absl::Status / absl::StatusOr (the Debian Abseil has none).
//
//   RETURN_IF_ERROR(file.Sync());
//   ASSIGN_OR_RETURN(Config cfg, LoadFile(path));
#ifndef SUNDIAL_BASE_STATUS_MACROS_H_
#define SUNDIAL_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SUNDIAL_CONCAT_INNER_(a, b) a##b
#define SUNDIAL_CONCAT_(a, b) SUNDIAL_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status sundial_status_ = (expr);           \
    if (!sundial_status_.ok()) return sundial_status_; \
  } while (0)

#define SUNDIAL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  SUNDIAL_ASSIGN_OR_RETURN_IMPL_(SUNDIAL_CONCAT_(sundial_statusor_, __LINE__), lhs, expr)

#endif  // SUNDIAL_BASE_STATUS_MACROS_H_
