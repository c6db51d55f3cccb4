// JSON reading with limits, on top of nlohmann::json.
#include "core/json_reader.hpp"

#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/limits.hpp"

namespace cohort {
namespace {

// nlohmann's message without its "[json.exception.x.y] " prefix, with bytes outside printable
// ASCII written as \xNN: it quotes the input, which may be invalid UTF-8.
std::string library_message(const char* what) {
  std::string s(what);
  auto end = s.find("] ");
  if (s.rfind("[json.exception.", 0) == 0 && end != std::string::npos) s = s.substr(end + 2);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

Json read_json(std::string_view text) {
  if (text.size() > limits::kMaxInputBytes)
    throw CohortError(ErrorKind::ProgramLimit, "cohort definition is too long",
                      "The JSON text has " + std::to_string(text.size()) +
                          " bytes; the limit is " + std::to_string(limits::kMaxInputBytes) + ".");
  // One open array or object: the keys seen (objects), the current key or element index.
  struct Frame {
    bool is_array = false;
    std::size_t index = 0;
    std::string key;
    std::set<std::string> keys;
  };
  std::vector<Frame> open;
  // Path of the value being read in the innermost `frames` open containers, as "$[1].op".
  auto path_of = [&](std::size_t frames) {
    std::string path = "$";
    for (std::size_t i = 0; i < frames; ++i)
      path += open[i].is_array ? "[" + std::to_string(open[i].index) + "]" : "." + open[i].key;
    return path;
  };
  auto value_done = [&] {
    if (!open.empty() && open.back().is_array) ++open.back().index;
  };
  auto on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (static_cast<std::size_t>(depth) >= limits::kMaxJsonDepth)
          throw CohortError(ErrorKind::ProgramLimit, "cohort definition is nested too deeply",
                            "JSON nesting is limited to " +
                                std::to_string(limits::kMaxJsonDepth) + " levels.");
        open.emplace_back();
        open.back().is_array = event == Json::parse_event_t::array_start;
        break;
      case Json::parse_event_t::key: {
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!open.back().keys.insert(key).second)
          throw CohortError(ErrorKind::InvalidParameter,
                            "invalid cohort definition: duplicate key \"" + key + "\" at " +
                                path_of(open.size() - 1));
        open.back().key = key;
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        open.pop_back();
        value_done();
        break;
      case Json::parse_event_t::value:
        value_done();
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), on_event);
  } catch (const Json::parse_error& e) {
    throw CohortError(ErrorKind::MalformedJson, "malformed JSON in cohort definition",
                      "Error at byte " + std::to_string(e.byte) + ": " + library_message(e.what()) + ".");
  } catch (const Json::out_of_range& e) {
    // 406: a number too large for a double, which would be infinite.
    if (e.id == 406)
      throw CohortError(ErrorKind::InvalidParameter,
                        "invalid cohort definition: number is not finite at " + path_of(open.size()),
                        library_message(e.what()) + ".");
    throw CohortError(ErrorKind::MalformedJson, "malformed JSON in cohort definition",
                      library_message(e.what()) + ".");
  } catch (const Json::exception& e) {
    throw CohortError(ErrorKind::MalformedJson, "malformed JSON in cohort definition",
                      library_message(e.what()) + ".");
  }
}

}  // namespace cohort
