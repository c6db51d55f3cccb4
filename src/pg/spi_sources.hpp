// Executor (SPI) scans of the sources.
#pragma once

#include "pg/sources.hpp"

namespace cohort::pg {

// Events through a generated query: honours views, partitions and row-level security.
std::unique_ptr<EventSource> open_spi_events(const Program& program, const EventScanSpec& spec);

// Customers through a generated query.
std::unique_ptr<CustomerSource> open_spi_customers(const CustomerColumns& columns, Oid relid);

}  // namespace cohort::pg
