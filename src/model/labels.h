// Labels: an immutable, sorted set of name/value pairs stored in one flat buffer.
//
//   Labels l{{"__name__", "up"}, {"job", "node"}};    // sorted on construction
//   l.Get("job") == "node";  l.Get("nope") == "";
//   for (const Label& x : l) { ... }                  // views into l, valid while l lives
//
// Use LabelsBuilder to derive new sets. Names are unique; an empty value means "absent" and is
// never stored.
#ifndef SUNDIAL_MODEL_LABELS_H_
#define SUNDIAL_MODEL_LABELS_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sundial {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Label&, const Label&) = default;
};

class Labels {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Label;
    using difference_type = std::ptrdiff_t;
    using pointer = const Label*;
    using reference = const Label&;

    Iterator() = default;
    const Label& operator*() const { return current_; }
    const Label* operator->() const { return &current_; }
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator copy = *this;
      ++*this;
      return copy;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.pos_ == b.pos_; }

   private:
    friend class Labels;
    Iterator(const char* pos, const char* end);
    void Decode();
    const char* pos_ = nullptr;
    const char* next_ = nullptr;
    const char* end_ = nullptr;
    Label current_;
  };

  Labels() = default;
  // Sorts by name; on duplicate names the last one wins; empty values are dropped.
  Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
  // The set of pairs already sorted by name with unique names (empty values dropped), built
  // in one allocation. REQUIRES: names strictly increasing.
  static Labels FromSorted(std::span<const Label> pairs);

  Iterator begin() const { return Iterator(data_.data(), data_.data() + data_.size()); }
  Iterator end() const {
    return Iterator(data_.data() + data_.size(), data_.data() + data_.size());
  }
  bool empty() const { return data_.empty(); }
  size_t size() const;

  // The value for name, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricNameLabel); }

  // XXH64 over name 0xff value 0xff ..., identical to Prometheus' labels.Hash.
  uint64_t Hash() const;
  // {__name__="up", job="node"} with values quoted as Go's strconv.Quote does.
  std::string ToString() const;
  // The encoded buffer: equal sets have equal bytes, so it can key hash maps.
  std::string_view Bytes() const { return data_; }
  size_t ByteSize() const { return data_.capacity() + sizeof(*this); }

  friend bool operator==(const Labels& a, const Labels& b) { return a.data_ == b.data_; }
  // Prometheus' labels.Compare order: pairwise by name then value; a prefix sorts first.
  friend std::strong_ordering operator<=>(const Labels& a, const Labels& b);

 private:
  friend class LabelsBuilder;
  // Appends one pair; REQUIRES: name sorts after every name already present.
  void AppendSorted(std::string_view name, std::string_view value);

  std::string data_;  // repeated: varint(len) name varint(len) value
};

// Accumulates changes on top of a base set, then builds a new sorted Labels.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { Reset(base); }

  void Reset(const Labels& base);
  // An empty value deletes the label.
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name);
  // The value as it would be in Build(), or "".
  std::string_view Get(std::string_view name) const;
  // Keeps only the named labels / drops the named labels.
  LabelsBuilder& Keep(const std::vector<std::string>& names);
  LabelsBuilder& Drop(const std::vector<std::string>& names);

  Labels Build() const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;  // sorted by name, no empty values
};

}  // namespace sundial

#endif  // SUNDIAL_MODEL_LABELS_H_
