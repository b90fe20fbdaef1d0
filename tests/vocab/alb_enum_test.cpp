// Every ALB setting's name and value parse back to each other.
#include <gtest/gtest.h>

#include "vocab/alb.h"

namespace vpclab::alb {
namespace {

template <typename E>
void round_trip() {
  for (const auto& [v, n] : EnumTable<E>::entries) {
    EXPECT_EQ(parse_enum<E>(n), v) << n;
    EXPECT_EQ(enum_name(v), n);
  }
  EXPECT_FALSE(parse_enum<E>("")) << enum_choices<E>();
}

TEST(AlbVocab, NamesRoundTrip) {
  round_trip<ConditionField>();
  round_trip<ActionType>();
  round_trip<LoadBalancingAlgorithm>();
  round_trip<StickinessType>();
  round_trip<CrossZone>();
  round_trip<XffProcessingMode>();
  round_trip<DesyncMitigationMode>();
  round_trip<RedirectStatus>();
}

TEST(AlbVocab, SpelledAsTheApi) {
  EXPECT_EQ(parse_enum<LoadBalancingAlgorithm>("least_outstanding_requests"),
            LoadBalancingAlgorithm::kLeastOutstandingRequests);
  EXPECT_FALSE(parse_enum<XffProcessingMode>("Append"));  // case-sensitive, as AWS
  EXPECT_EQ(parse_condition_field("http-request-method"), ConditionField::kHttpRequestMethod);
  EXPECT_STREQ(condition_field_name(ConditionField::kSourceIp), "source-ip");
  EXPECT_STREQ(action_type_name(ActionType::kFixedResponse), "fixed-response");
  EXPECT_EQ(enum_choices<DesyncMitigationMode>(), "monitor, defensive or strictest");
  EXPECT_EQ(redirect_status_code(RedirectStatus::kHttp302), 302);
}

}  // namespace
}  // namespace vpclab::alb
