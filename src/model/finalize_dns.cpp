// finalize(): Route 53 hosted zones and their records.
#include "model/finalizer.h"


namespace vpclab::model {

void Finalizer::check_hosted_zones() {
  for (auto& z : net_.hosted_zones) {
    z.name = dns::normalize_name(z.name);
    if (!z.vpcs.empty()) z.is_private = true;
    for (auto& hv : z.vpcs) {
      if (hv.region.empty()) hv.region = z.origin.region;
      if (!net_.vpc(hv.vpc))
        warning(z.origin.loc, "ZONE_UNKNOWN_VPC",
                fmt::format("hosted zone {} is associated with VPC '{}', which is not in the loaded stacks",
                            z.origin.display(z.id), hv.vpc));
    }
    for (auto& r : z.records) {
      r.name = dns::normalize_name(r.name);
      if (!dns::name_in_zone(r.name, z.name))
        error(r.loc.known() ? r.loc : z.origin.loc, "RECORD_OUTSIDE_ZONE",
              fmt::format("record {} is not in hosted zone {}", r.name, z.name));
    }
  }
}

}  // namespace vpclab::model
