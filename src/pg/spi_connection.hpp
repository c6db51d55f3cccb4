// An SPI connection held for the duration of a C++ scope.
#pragma once

#include "pg/guard.hpp"

namespace cohort::pg {

// Connects to SPI; finish() closes the connection on the normal path.
class SpiConnection {
 public:
  SpiConnection() {
    pg_call([&] {
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "cohort: SPI_connect failed");
    });
  }
  SpiConnection(const SpiConnection&) = delete;
  SpiConnection& operator=(const SpiConnection&) = delete;
  // Closes the connection; on an error path the transaction abort closes it instead.
  void finish() {
    pg_call([&] { SPI_finish(); });
  }
};

}  // namespace cohort::pg
