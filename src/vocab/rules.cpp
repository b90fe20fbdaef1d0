#include "vocab/rules.h"

namespace vpclab {

const char* route_target_kind_name(RouteTargetKind k) {
  switch (k) {
    case RouteTargetKind::kLocal: return "local";
    case RouteTargetKind::kInternetGateway: return "GatewayId";
    case RouteTargetKind::kNatGateway: return "NatGatewayId";
    case RouteTargetKind::kVpcPeeringConnection: return "VpcPeeringConnectionId";
    case RouteTargetKind::kNetworkInterface: return "NetworkInterfaceId";
    case RouteTargetKind::kInstance: return "InstanceId";
    case RouteTargetKind::kVpnGateway: return "GatewayId";
    case RouteTargetKind::kTransitGateway: return "TransitGatewayId";
    case RouteTargetKind::kVpcEndpoint: return "VpcEndpointId";
    case RouteTargetKind::kEgressOnlyInternetGateway: return "EgressOnlyInternetGatewayId";
    case RouteTargetKind::kCarrierGateway: return "CarrierGatewayId";
    case RouteTargetKind::kLocalGateway: return "LocalGatewayId";
    case RouteTargetKind::kCoreNetwork: return "CoreNetworkArn";
  }
  return "?";
}

}  // namespace vpclab
