// Chooses the direct scan when it gives the same rows as the executor, the executor otherwise.
#include "pg/sources.hpp"

#include "pg/heap_sources.hpp"
#include "pg/spi_sources.hpp"

namespace cohort::pg {

std::unique_ptr<EventSource> open_events(const Program& program, const EventScanSpec& spec) {
  if (auto direct = open_heap_events(program, spec)) return direct;
  return open_spi_events(program, spec);
}

std::unique_ptr<CustomerSource> open_customers(const CustomerColumns& columns, Oid relid) {
  if (auto direct = open_heap_customers(columns, relid)) return direct;
  return open_spi_customers(columns, relid);
}

}  // namespace cohort::pg
