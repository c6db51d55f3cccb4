// Canonical JSON writer: fixed key order, shortest numbers, no spaces.
#include <string>

#include "core/canonical.hpp"
#include "core/json_reader.hpp"
#include "core/number_format.hpp"

namespace cohort {
namespace {

// Appends a JSON string literal.
void put_string(std::string& out, const std::string& s) {
  out += Json(s).dump(-1, ' ', false, Json::error_handler_t::strict);
}

// Appends "key": with a leading comma when not first.
void put_key(std::string& out, const char* key, bool& first) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out += key;
  out += "\":";
}

void write_performed(std::string& out, const Behaviour& b) {
  bool first = true;
  out += "{\"performed\":{";
  put_key(out, "event", first);
  put_string(out, b.event);
  put_key(out, "aggregate", first);
  put_string(out, aggregate_name(b.aggregate));
  if (!b.property.empty()) {
    put_key(out, "property", first);
    put_string(out, b.property);
  }
  put_key(out, "op", first);
  put_string(out, comparator_name(b.op));
  put_key(out, "value", first);
  if (b.op == Comparator::Between)
    out += "[" + format_number(b.value) + "," + format_number(b.value2) + "]";
  else
    out += format_number(b.value);
  if (b.days) {
    put_key(out, "days", first);
    out += std::to_string(*b.days);
  }
  if (!b.where.empty()) {
    put_key(out, "where", first);
    out += '{';
    for (std::size_t i = 0; i < b.where.size(); ++i) {
      if (i) out += ',';
      put_string(out, b.where[i].column);
      out += ":[";
      for (std::size_t k = 0; k < b.where[i].values.size(); ++k) {
        if (k) out += ',';
        put_string(out, b.where[i].values[k]);
      }
      out += ']';
    }
    out += '}';
  }
  out += "}}";
}

void write_attribute(std::string& out, const AttributeRange& r) {
  bool first = true;
  out += "{\"attribute\":{";
  put_key(out, "name", first);
  put_string(out, r.attribute);
  if (r.min) {
    put_key(out, "min", first);
    out += format_number(*r.min);
  }
  if (r.max) {
    put_key(out, "max", first);
    out += format_number(*r.max);
  }
  out += "}}";
}

void write_node(std::string& out, const Node& n) {
  switch (n.kind) {
    case NodeKind::All:
    case NodeKind::Any:
      out += n.kind == NodeKind::All ? "{\"all\":[" : "{\"any\":[";
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        if (i) out += ',';
        write_node(out, n.children[i]);
      }
      out += "]}";
      break;
    case NodeKind::Not:
      out += "{\"not\":";
      write_node(out, n.children.at(0));
      out += '}';
      break;
    case NodeKind::Performed:
      write_performed(out, n.behaviour);
      break;
    case NodeKind::Attribute:
      write_attribute(out, n.range);
      break;
    case NodeKind::Engagement:
      out += std::string("{\"engagement_level\":\"") + level_name(n.level) + "\"}";
      break;
    case NodeKind::ChurnRisk:
      out += std::string("{\"churn_risk_level\":\"") + level_name(n.level) + "\"}";
      break;
  }
}

}  // namespace

std::string write_canonical(const Node& node) {
  std::string out;
  write_node(out, node);
  return out;
}

}  // namespace cohort
