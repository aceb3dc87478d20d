// Value: the tagged union of what a key holds (see value.hpp).

#include "kv/value.hpp"

#include <new>
#include <utility>

#include "kv/hash.hpp"
#include "kv/list.hpp"
#include "kv/packed.hpp"
#include "kv/set.hpp"
#include "kv/zset.hpp"

namespace tcpkit::kv {

Value Value::new_list() {
  Value v;
  v.destroy();
  v.list_ = new List();
  v.type = ValueType::kList;
  return v;
}

Value Value::new_hash() {
  Value v;
  v.str.assign(packed::empty());
  v.type = ValueType::kHash;
  v.encoding = Encoding::kListpack;
  return v;
}

HashRef Value::hash() { return HashRef(*this); }
HashRef Value::hash() const { return HashRef(*const_cast<Value*>(this)); }

bool Value::packed_hash() const {
  return type == ValueType::kHash && encoding == Encoding::kListpack;
}

Value Value::new_set() {
  Value v;
  v.destroy();
  v.set_ = new Set();
  v.type = ValueType::kSet;
  return v;
}

Value Value::new_zset() {
  Value v;
  v.destroy();
  v.zset_ = new SortedSet();
  v.type = ValueType::kZset;
  return v;
}

Value::Value(const Value& other)
    : str(), expire_at_ms(other.expire_at_ms), type(ValueType::kString), encoding(other.encoding) {
  copy_payload(other);
}

Value::Value(Value&& other) noexcept
    : str(), expire_at_ms(other.expire_at_ms), type(ValueType::kString), encoding(other.encoding) {
  move_payload(other);
}

Value& Value::operator=(const Value& other) {
  if (this == &other) return *this;
  Value copy(other);
  return *this = std::move(copy);
}

Value& Value::operator=(Value&& other) noexcept {
  if (this == &other) return *this;
  destroy();
  move_payload(other);
  expire_at_ms = other.expire_at_ms;
  encoding = other.encoding;
  return *this;
}

bool Value::empty_collection() const {
  switch (type) {
    case ValueType::kString:
      return false;
    case ValueType::kList:
      return list_->empty();
    case ValueType::kHash:
      return packed_hash() ? packed::count(str) == 0 : hash_->empty();
    case ValueType::kSet:
      return set_->empty();
    case ValueType::kZset:
      return zset_->empty();
  }
  return false;
}

Encoding Value::current_encoding() const {
  switch (type) {
    case ValueType::kString:
      return encoding;
    case ValueType::kList:
      return Encoding::kQuicklist;
    case ValueType::kHash:
      return encoding;
    case ValueType::kSet:
      return set_->intset() ? Encoding::kIntset : Encoding::kHashtable;
    case ValueType::kZset:
      return zset_->listpack() ? Encoding::kListpack : Encoding::kSkiplist;
  }
  return encoding;
}

std::size_t Value::heap_bytes() const {
  switch (type) {
    case ValueType::kString:
      return str.heap_bytes();
    case ValueType::kList:
      return list_->bytes();
    case ValueType::kHash:
      return packed_hash() ? str.heap_bytes() : hash_->bytes();
    case ValueType::kSet:
      return set_->bytes();
    case ValueType::kZset:
      return zset_->bytes();
  }
  return 0;
}

void Value::make_string() {
  if (type == ValueType::kString) return;
  destroy();
  encoding = Encoding::kRaw;
}

// Ends the payload's life and leaves `str` alive and empty, type kString.
void Value::destroy() noexcept {
  switch (type) {
    case ValueType::kString:
      str.~CompactString();
      break;
    case ValueType::kList:
      delete list_;
      break;
    case ValueType::kHash:
      if (packed_hash()) {
        str.~CompactString();
      } else {
        delete hash_;
      }
      break;
    case ValueType::kSet:
      delete set_;
      break;
    case ValueType::kZset:
      delete zset_;
      break;
  }
  ::new (&str) CompactString();
  type = ValueType::kString;
}

// Precondition: this holds an empty string (constructors, or after destroy()).
void Value::copy_payload(const Value& other) {
  switch (other.type) {
    case ValueType::kString:
      str = other.str;
      return;
    case ValueType::kList: {
      auto* copy = new List(*other.list_);
      str.~CompactString();
      list_ = copy;
      break;
    }
    case ValueType::kHash: {
      if (other.packed_hash()) {
        str = other.str;
        break;
      }
      auto* copy = new Hash(*other.hash_);
      str.~CompactString();
      hash_ = copy;
      break;
    }
    case ValueType::kSet: {
      auto* copy = new Set(*other.set_);
      str.~CompactString();
      set_ = copy;
      break;
    }
    case ValueType::kZset: {
      auto* copy = new SortedSet(*other.zset_);
      str.~CompactString();
      zset_ = copy;
      break;
    }
  }
  type = other.type;
}

// Precondition as copy_payload; `other` is left an empty string.
void Value::move_payload(Value& other) noexcept {
  switch (other.type) {
    case ValueType::kString:
      str = std::move(other.str);
      other.str.clear();
      return;
    case ValueType::kList:
      str.~CompactString();
      list_ = other.list_;
      break;
    case ValueType::kHash:
      if (other.packed_hash()) {
        str = std::move(other.str);
        other.str.~CompactString();
        break;
      }
      str.~CompactString();
      hash_ = other.hash_;
      break;
    case ValueType::kSet:
      str.~CompactString();
      set_ = other.set_;
      break;
    case ValueType::kZset:
      str.~CompactString();
      zset_ = other.zset_;
      break;
  }
  type = other.type;
  ::new (&other.str) CompactString();
  other.type = ValueType::kString;
}

}  // namespace tcpkit::kv
