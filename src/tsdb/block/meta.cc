#include "tsdb/block/meta.h"

#include <charconv>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <random>

#include "absl/synchronization/mutex.h"
#include "base/json.h"
#include "base/json_string.h"
#include "base/status_macros.h"
#include "base/str_cat.h"

namespace sundial::tsdb::block {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// The member key of obj, or nullptr when obj has none.
const Json* Find(const Json& obj, std::string_view key) {
  return obj.Has(key) ? &obj[key] : nullptr;
}

template <typename T>
absl::Status GetInt(const Json& obj, std::string_view key, T* out) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return absl::OkStatus();
  if (v->type() != Json::Type::kNumber) {
    return absl::InvalidArgumentError(StrCat("\"", key, "\" is not a number"));
  }
  const std::string& text = v->literal();
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return absl::InvalidArgumentError(StrCat("\"", key, "\" is not an integer: ", v->literal()));
  }
  return absl::OkStatus();
}

absl::Status GetBool(const Json& obj, std::string_view key, bool* out) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->type() == Json::Type::kNull) return absl::OkStatus();
  if (v->type() != Json::Type::kBool) {
    return absl::InvalidArgumentError(StrCat("\"", key, "\" is not a boolean"));
  }
  *out = v->boolean();
  return absl::OkStatus();
}

absl::Status GetUlid(const Json& obj, std::string_view key, std::string* out) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->type() != Json::Type::kString || !IsValidUlid(v->str())) {
    return absl::InvalidArgumentError(StrCat("missing or invalid \"", key, "\""));
  }
  *out = v->str();
  return absl::OkStatus();
}

absl::Status GetStrings(const Json& obj, std::string_view key, bool ulids,
                        std::vector<std::string>* out) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->type() == Json::Type::kNull) return absl::OkStatus();
  if (v->type() != Json::Type::kArray) {
    return absl::InvalidArgumentError(StrCat("\"", key, "\" is not an array"));
  }
  for (const Json& item : v->items()) {
    if (item.type() != Json::Type::kString || (ulids && !IsValidUlid(item.str()))) {
      return absl::InvalidArgumentError(StrCat("invalid entry in \"", key, "\""));
    }
    out->push_back(item.str());
  }
  return absl::OkStatus();
}

// Writes the members of one JSON object at `indent` tabs, Go MarshalIndent style.
class ObjectWriter {
 public:
  ObjectWriter(std::string* out, int indent) : out_(out), indent_(indent) {}

  // Starts a member and returns so the caller writes the value.
  void Key(std::string_view key) {
    out_->append(first_ ? "\n" : ",\n");
    first_ = false;
    out_->append(indent_ + 1, '\t');
    AppendJsonString(out_, key);
    out_->append(": ");
  }
  // Closes the object; "{}" if it had no members.
  void Close() {
    if (!first_) {
      out_->push_back('\n');
      out_->append(indent_, '\t');
    }
    out_->push_back('}');
  }

 private:
  std::string* out_;
  int indent_;
  bool first_ = true;
};

void AppendUint(ObjectWriter* w, std::string* out, std::string_view key, uint64_t v) {
  if (v == 0) return;  // omitempty
  w->Key(key);
  StrAppend(out, v);
}

void AppendStringArray(ObjectWriter* w, std::string* out, std::string_view key,
                       const std::vector<std::string>& items, int indent) {
  if (items.empty()) return;  // omitempty
  w->Key(key);
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    out->append(i == 0 ? "\n" : ",\n");
    out->append(indent + 1, '\t');
    AppendJsonString(out, items[i]);
  }
  out->push_back('\n');
  out->append(indent, '\t');
  out->push_back(']');
}

int CrockfordValue(char c) {
  const char* p = std::strchr(kCrockford, c);
  if (c == '\0' || p == nullptr) return -1;
  return static_cast<int>(p - kCrockford);
}

}  // namespace

std::string MarshalMeta(const BlockMeta& meta) {
  std::string out = "{";
  ObjectWriter top(&out, 0);
  top.Key("ulid");
  AppendJsonString(&out, meta.ulid);
  top.Key("minTime");
  StrAppend(&out, meta.min_time);
  top.Key("maxTime");
  StrAppend(&out, meta.max_time);

  top.Key("stats");
  out.push_back('{');
  ObjectWriter stats(&out, 1);
  AppendUint(&stats, &out, "numSamples", meta.stats.num_samples);
  AppendUint(&stats, &out, "numFloatSamples", meta.stats.num_float_samples);
  AppendUint(&stats, &out, "numSeries", meta.stats.num_series);
  AppendUint(&stats, &out, "numChunks", meta.stats.num_chunks);
  AppendUint(&stats, &out, "numTombstones", meta.stats.num_tombstones);
  stats.Close();

  top.Key("compaction");
  out.push_back('{');
  const BlockMetaCompaction& c = meta.compaction;
  ObjectWriter comp(&out, 1);
  comp.Key("level");
  StrAppend(&out, c.level);
  AppendStringArray(&comp, &out, "sources", c.sources, 2);
  if (c.deletable) {
    comp.Key("deletable");
    out.append("true");
  }
  if (!c.parents.empty()) {
    comp.Key("parents");
    out.push_back('[');
    for (size_t i = 0; i < c.parents.size(); ++i) {
      out.append(i == 0 ? "\n\t\t\t{" : ",\n\t\t\t{");
      ObjectWriter parent(&out, 3);
      parent.Key("ulid");
      AppendJsonString(&out, c.parents[i].ulid);
      parent.Key("minTime");
      StrAppend(&out, c.parents[i].min_time);
      parent.Key("maxTime");
      StrAppend(&out, c.parents[i].max_time);
      parent.Close();
    }
    out.append("\n\t\t]");
  }
  if (c.failed) {
    comp.Key("failed");
    out.append("true");
  }
  AppendStringArray(&comp, &out, "hints", c.hints, 2);
  comp.Close();

  top.Key("version");
  StrAppend(&out, kMetaVersion1);
  top.Close();
  return out;
}

absl::StatusOr<BlockMeta> ParseMeta(std::string_view json, std::string_view source) {
  auto wrap = [&](const absl::Status& s) {
    return absl::Status(s.code(), StrCat(source, ": ", AsStd(s.message())));
  };
  absl::StatusOr<Json> doc = Json::Parse(json);
  if (!doc.ok()) {
    return wrap(
        absl::InvalidArgumentError(StrCat("invalid JSON: ", AsStd(doc.status().message()))));
  }
  if (doc->type() != Json::Type::kObject) return wrap(absl::InvalidArgumentError("not an object"));
  BlockMeta meta;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(GetUlid(*doc, "ulid", &meta.ulid));
    RETURN_IF_ERROR(GetInt(*doc, "minTime", &meta.min_time));
    RETURN_IF_ERROR(GetInt(*doc, "maxTime", &meta.max_time));
    meta.version = 0;
    RETURN_IF_ERROR(GetInt(*doc, "version", &meta.version));
    if (meta.version != kMetaVersion1) {
      return absl::InvalidArgumentError(StrCat("unexpected meta file version ", meta.version));
    }
    if (const Json* st = Find(*doc, "stats"); st != nullptr) {
      if (st->type() != Json::Type::kObject) {
        return absl::InvalidArgumentError("\"stats\" is not an object");
      }
      RETURN_IF_ERROR(GetInt(*st, "numSamples", &meta.stats.num_samples));
      RETURN_IF_ERROR(GetInt(*st, "numFloatSamples", &meta.stats.num_float_samples));
      RETURN_IF_ERROR(GetInt(*st, "numSeries", &meta.stats.num_series));
      RETURN_IF_ERROR(GetInt(*st, "numChunks", &meta.stats.num_chunks));
      RETURN_IF_ERROR(GetInt(*st, "numTombstones", &meta.stats.num_tombstones));
    }
    if (const Json* c = Find(*doc, "compaction"); c != nullptr) {
      if (c->type() != Json::Type::kObject) {
        return absl::InvalidArgumentError("\"compaction\" is not an object");
      }
      BlockMetaCompaction& comp = meta.compaction;
      RETURN_IF_ERROR(GetInt(*c, "level", &comp.level));
      RETURN_IF_ERROR(GetStrings(*c, "sources", true, &comp.sources));
      RETURN_IF_ERROR(GetBool(*c, "deletable", &comp.deletable));
      RETURN_IF_ERROR(GetBool(*c, "failed", &comp.failed));
      RETURN_IF_ERROR(GetStrings(*c, "hints", false, &comp.hints));
      if (const Json* ps = Find(*c, "parents"); ps != nullptr && ps->type() != Json::Type::kNull) {
        if (ps->type() != Json::Type::kArray) {
          return absl::InvalidArgumentError("\"parents\" is not an array");
        }
        for (const Json& p : ps->items()) {
          if (p.type() != Json::Type::kObject) {
            return absl::InvalidArgumentError("invalid entry in \"parents\"");
          }
          BlockDesc d;
          RETURN_IF_ERROR(GetUlid(p, "ulid", &d.ulid));
          RETURN_IF_ERROR(GetInt(p, "minTime", &d.min_time));
          RETURN_IF_ERROR(GetInt(p, "maxTime", &d.max_time));
          comp.parents.push_back(std::move(d));
        }
      }
    }
    return absl::OkStatus();
  }();
  if (!s.ok()) return wrap(s);
  return meta;
}

absl::StatusOr<BlockMeta> ReadMeta(FileSystem* fs, const std::string& dir) {
  std::string path = JoinPath(dir, kMetaFilename);
  ASSIGN_OR_RETURN(std::string data, fs->ReadFile(path));
  return ParseMeta(data, path);
}

absl::Status WriteMeta(FileSystem* fs, const std::string& dir, const BlockMeta& meta) {
  std::string path = JoinPath(dir, kMetaFilename);
  std::string tmp = StrCat(path, ".tmp");
  std::string data = MarshalMeta(meta);
  absl::Status s = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->OpenWritable(tmp, OpenMode::kTruncate));
    RETURN_IF_ERROR(f->Append(data));
    RETURN_IF_ERROR(f->Sync());
    RETURN_IF_ERROR(f->Close());
    RETURN_IF_ERROR(fs->Rename(tmp, path));
    return fs->SyncDir(dir);
  }();
  if (!s.ok()) {
    fs->RemoveAll(tmp).IgnoreError();
    return absl::Status(s.code(), StrCat("write ", path, ": ", AsStd(s.message())));
  }
  return absl::OkStatus();
}

namespace {

struct UlidState {
  absl::Mutex mu;
  int64_t last_ms ABSL_GUARDED_BY(mu) = -1;
  uint64_t hi ABSL_GUARDED_BY(mu) = 0;  // top 16 of the 80 random bits
  uint64_t lo ABSL_GUARDED_BY(mu) = 0;  // low 64 random bits
  std::mt19937_64 rng ABSL_GUARDED_BY(mu){std::random_device{}()};
};

UlidState& State() {
  static UlidState* state = new UlidState;
  return *state;
}

}  // namespace

std::string NewUlid() {
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return NewUlidAt(ms);
}

std::string NewUlidAt(int64_t unix_ms) {
  UlidState& st = State();
  uint64_t ms;
  uint64_t hi;
  uint64_t lo;
  {
    absl::MutexLock lock(&st.mu);
    if (unix_ms <= st.last_ms) {
      // Same (or an earlier) millisecond: keep the time and increment the random part so the
      // result still sorts after the previous one.
      unix_ms = st.last_ms;
      if (++st.lo == 0) st.hi = (st.hi + 1) & 0xffff;
    } else {
      st.last_ms = unix_ms;
      st.hi = st.rng() & 0xffff;
      st.lo = st.rng();
    }
    ms = static_cast<uint64_t>(unix_ms) & ((uint64_t{1} << 48) - 1);
    hi = st.hi;
    lo = st.lo;
  }
  // 128 bits: ms(48) | hi(16) | lo(64), written as 26 5-bit groups (the first has 3 bits).
  std::string out(26, '0');
  auto bit_at = [&](int i) -> int {  // bit i counted from the most significant of 128
    if (i < 48) return static_cast<int>((ms >> (47 - i)) & 1);
    if (i < 64) return static_cast<int>((hi >> (63 - i)) & 1);
    return static_cast<int>((lo >> (127 - i)) & 1);
  };
  // The first character holds 3 bits (0..7), then 25 of 5 bits.
  int v = 0;
  for (int i = 0; i < 3; ++i) v = (v << 1) | bit_at(i);
  out[0] = kCrockford[v];
  for (int c = 1; c < 26; ++c) {
    v = 0;
    for (int i = 0; i < 5; ++i) v = (v << 1) | bit_at(3 + (c - 1) * 5 + i);
    out[c] = kCrockford[v];
  }
  return out;
}

bool IsValidUlid(std::string_view s) {
  if (s.size() != 26) return false;
  for (char c : s) {
    if (CrockfordValue(c) < 0) return false;
  }
  return CrockfordValue(s[0]) <= 7;
}

int64_t UlidTime(std::string_view ulid) {
  // 48 bits = the first 10 characters (3 + 9*5 = 48).
  uint64_t ms = 0;
  for (int i = 0; i < 10; ++i) ms = (ms << 5) | static_cast<uint64_t>(CrockfordValue(ulid[i]));
  return static_cast<int64_t>(ms);
}

}  // namespace sundial::tsdb::block
