// JSON reading with limits, on top of nlohmann::json.
#include "core/json_reader.hpp"

#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/limits.hpp"

namespace cohort {

Json read_json(std::string_view text) {
  if (text.size() > limits::kMaxInputBytes)
    throw CohortError(ErrorKind::ProgramLimit, "cohort definition is too long",
                      "The JSON text has " + std::to_string(text.size()) +
                          " bytes; the limit is " + std::to_string(limits::kMaxInputBytes) + ".");
  std::vector<std::set<std::string>> open_objects;
  auto on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (static_cast<std::size_t>(depth) >= limits::kMaxJsonDepth)
          throw CohortError(ErrorKind::ProgramLimit, "cohort definition is nested too deeply",
                            "JSON nesting is limited to " +
                                std::to_string(limits::kMaxJsonDepth) + " levels.");
        if (event == Json::parse_event_t::object_start) open_objects.emplace_back();
        break;
      case Json::parse_event_t::key: {
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!open_objects.back().insert(key).second)
          throw CohortError(ErrorKind::InvalidParameter,
                            "invalid cohort definition: duplicate key \"" + key + "\"");
        break;
      }
      case Json::parse_event_t::object_end:
        open_objects.pop_back();
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), on_event);
  } catch (const Json::parse_error& e) {
    throw CohortError(ErrorKind::MalformedJson, "malformed JSON in cohort definition",
                      "Error at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const Json::exception& e) {
    throw CohortError(ErrorKind::MalformedJson, "malformed JSON in cohort definition", e.what());
  }
}

}  // namespace cohort
