#include "ledger/vocab.h"

namespace ltl::ledger {

bool IsAggregateUse(Use use) { return use == Use::kAiAll || use == Use::kAll; }

UseSet ExpandUse(Use use) {
  switch (use) {
    case Use::kAiAll:
      return ExpandUses(
          std::array{Use::kTrainGenai, Use::kTrainOther, Use::kAiInput, Use::kAiIndex});
    case Use::kAll:
      return UseSet{static_cast<uint8_t>((1u << kConcreteUseCount) - 1)};
    default:
      return UseSet{static_cast<uint8_t>(1u << static_cast<unsigned>(use))};
  }
}

UseSet ExpandUses(std::span<const Use> uses) {
  UseSet set;
  for (Use use : uses) set.bits |= ExpandUse(use).bits;
  return set;
}

}  // namespace ltl::ledger
