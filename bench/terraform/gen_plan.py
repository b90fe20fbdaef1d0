#!/usr/bin/env python3
"""Writes `terraform show -json` plans in the shape Terraform 1.x prints them
(format_version 1.2: planned_values, resource_changes with after_unknown,
configuration with 1.0.3+ references), without a terraform binary.

  gen_plan.py scenario        the canonical scenario (examples/terraform/scenario/plan.json)
  gen_plan.py tgw             the same hub-and-spoke through a transit gateway (examples/terraform/tgw/plan.json)
  gen_plan.py tgw-vpn         and an office over a site-to-site VPN to it (examples/terraform/tgw/vpn/plan.json)
  gen_plan.py vpcs N          N VPCs, each with subnets, routes, groups, instances (bench)

Values Terraform knows only after apply (ids, ARNs, and every attribute that
references them) are left out of planned_values and marked in after_unknown,
as terraform does; the configuration carries the references that tell them.
"""
import json
import sys

U = object()  # a value known only after apply


def ref(obj, attr="id"):
    """A reference as terraform >= 1.0.3 writes it: the attribute path, then the object."""
    return {"references": [f"{obj}.{attr}", obj]}


def refs(*objs, attr="id"):
    out = []
    for o in objs:
        out += [f"{o}.{attr}", o]
    return {"references": out}


def const(v):
    return {"constant_value": v}


class Plan:
    def __init__(self, tf_version="1.9.5"):
        self.tf_version = tf_version
        self.planned = []
        self.changes = []
        self.config = {}
        self.variables = {}

    def var(self, name, value):
        self.variables[name] = {"value": value}

    def add(self, rtype, name, values, expressions, index=None, count=None, for_each=None, depends_on=None):
        address = f"{rtype}.{name}" + ("" if index is None else f"[{json.dumps(index)}]")
        values = dict(values)
        values.setdefault("id", U)
        known, unknown = split(values)
        common = {"address": address, "mode": "managed", "type": rtype, "name": name}
        if index is not None:
            common["index"] = index
        common["provider_name"] = "registry.terraform.io/hashicorp/aws"
        self.planned.append({**common, "schema_version": 0, "values": known, "sensitive_values": {}})
        self.changes.append({**common, "change": {"actions": ["create"], "before": None, "after": known,
                                                   "after_unknown": unknown, "before_sensitive": False,
                                                   "after_sensitive": {}}})
        key = f"{rtype}.{name}"
        if key not in self.config:
            c = {"address": key, "mode": "managed", "type": rtype, "name": name, "provider_config_key": "aws",
                 "expressions": expressions, "schema_version": 0}
            if count is not None:
                c["count_expression"] = count
            if for_each is not None:
                c["for_each_expression"] = for_each
            if depends_on:
                c["depends_on"] = depends_on
            self.config[key] = c
        return address

    def json(self):
        return {
            "format_version": "1.2",
            "terraform_version": self.tf_version,
            "variables": self.variables,
            "planned_values": {"root_module": {"resources": self.planned}},
            "resource_changes": self.changes,
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                                            "expressions": {"region": {"constant_value": "ap-northeast-1"}}}},
                "root_module": {"resources": list(self.config.values()),
                                "variables": {k: {"default": v["value"]} for k, v in self.variables.items()}},
            },
            "relevant_attributes": [],
            "timestamp": "2026-12-02T00:00:00Z",
            "applyable": True,
            "complete": True,
            "errored": False,
        }


def split(v):
    """(known values, after_unknown) of a values tree with U leaves."""
    if v is U:
        return None, True
    if isinstance(v, dict):
        known, unknown = {}, {}
        for k, x in v.items():
            kx, ux = split(x)
            if ux is True:
                unknown[k] = True
                continue
            known[k] = kx
            if ux not in (None, False, {}, []) and ux:
                unknown[k] = ux
        return known, unknown
    if isinstance(v, list):
        known, unknown, any_unknown = [], [], False
        for x in v:
            kx, ux = split(x)
            known.append(kx if ux is not True else None)
            unknown.append(ux if ux else False)
            any_unknown = any_unknown or bool(ux)
        return known, (unknown if any_unknown else [])
    return v, None


ALL_OUT = {"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"], "description": "",
           "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False}


def sg_rule(port, cidrs=(), groups=(), description=""):
    return {"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": list(cidrs),
            "description": description, "ipv6_cidr_blocks": [], "prefix_list_ids": [],
            "security_groups": list(groups), "self": False}


def route(cidr, **target):
    r = {"cidr_block": cidr, "carrier_gateway_id": "", "core_network_arn": "", "destination_prefix_list_id": "",
         "egress_only_gateway_id": "", "gateway_id": "", "ipv6_cidr_block": "", "local_gateway_id": "",
         "nat_gateway_id": "", "network_interface_id": "", "transit_gateway_id": "", "vpc_endpoint_id": "",
         "vpc_peering_connection_id": ""}
    r.update(target)
    return r


def web_script(n):
    return ("#!/bin/bash\nmkdir -p www && cd www\nprintf '<html>\\n  <head>\\n    <title>Welcom to web%d</title>\\n"
            "  </head>\\n  <body>\\n    Hello World\\n  </body>\\n</html>\\n' > index.html\n"
            "exec python3 -m http.server 8080\n" % n)


def vpc(p, name, cidr_var, cidr):
    p.add("aws_vpc", name, {"cidr_block": cidr, "enable_dns_support": True, "enable_dns_hostnames": True,
                            "instance_tenancy": "default", "tags": {"Name": name}, "arn": U,
                            "default_security_group_id": U, "main_route_table_id": U},
          {"cidr_block": {"references": [f"var.{cidr_var}"]}, "enable_dns_support": const(True),
           "enable_dns_hostnames": const(True), "tags": const({"Name": name})})


def subnet(p, name, vpc_name, cidr, az, public, tag, index=None, count=None):
    p.add("aws_subnet", name, {"vpc_id": U, "cidr_block": cidr, "availability_zone": az,
                               "map_public_ip_on_launch": public, "tags": {"Name": tag}, "arn": U},
          {"vpc_id": ref(f"aws_vpc.{vpc_name}"),
           "cidr_block": const(cidr) if count is None else {"references": ["count.index"]},
           "availability_zone": const(az) if count is None else {"references": ["count.index"]},
           "map_public_ip_on_launch": const(public), "tags": const({"Name": tag}) if count is None else
           {"references": ["count.index"]}}, index=index, count=count)


def instance(p, name, subnet_ref, sg, tag, user_data=None):
    values = {"ami": "ami-0b7546e839d7ace12", "instance_type": "t3.micro", "key_name": "lab-key",
              "subnet_id": U, "vpc_security_group_ids": U, "private_ip": U, "public_ip": U,
              "associate_public_ip_address": U, "tags": {"Name": tag}, "arn": U}
    expr = {"ami": {"references": ["var.image_id"]}, "instance_type": const("t3.micro"),
            "key_name": {"references": ["var.key_name"]}, "subnet_id": subnet_ref,
            "vpc_security_group_ids": ref(f"aws_security_group.{sg}"), "tags": const({"Name": tag})}
    if user_data is not None:
        import hashlib
        values["user_data"] = hashlib.sha1(user_data.encode()).hexdigest()  # what the provider stores
        expr["user_data"] = const(user_data)
    p.add("aws_instance", name, values, expr)


def security_group(p, name, vpc_name, description, ingress, ingress_expr=None):
    """ingress None: no inline rules at all (separate rule resources manage the group)."""
    values = {"name": name.replace("_", "-"), "description": description, "vpc_id": U,
              "ingress": U if ingress is None else ingress, "egress": U if ingress is None else [ALL_OUT],
              "revoke_rules_on_delete": False, "arn": U, "owner_id": U, "name_prefix": U, "tags": None}
    expr = {"name": const(name.replace("_", "-")), "description": const(description),
            "vpc_id": ref(f"aws_vpc.{vpc_name}")}
    if ingress is not None:
        expr["ingress"] = ingress_expr if ingress_expr is not None else const(ingress)
        expr["egress"] = {"references": ["local.all_out"]}
    p.add("aws_security_group", name, values, expr)


def vpc_sg_rule(p, name, direction, group, protocol, port=None, cidr=None, source=None):
    ports = {} if protocol == "-1" else {"from_port": const(port), "to_port": const(port)}
    expr = {"security_group_id": ref(f"aws_security_group.{group}"), "ip_protocol": const(protocol), **ports}
    values = {"security_group_id": U, "ip_protocol": protocol, "from_port": port, "to_port": port,
              "referenced_security_group_id": None, "cidr_ipv4": cidr, "cidr_ipv6": None, "prefix_list_id": None,
              "description": None, "arn": U, "security_group_rule_id": U, "tags": None, "tags_all": {}}
    if cidr is not None:
        expr["cidr_ipv4"] = const(cidr)
    if source is not None:
        values["referenced_security_group_id"] = U
        expr["referenced_security_group_id"] = ref(f"aws_security_group.{source}")
    p.add(f"aws_vpc_security_group_{direction}_rule", name, values, expr)


def scenario():
    return canonical(hub=False)


def canonical(hub, office=False):
    """The canonical scenario; hub: foo and bar joined by a transit gateway (examples/tgw/hub-and-spoke.yaml)
    instead of a peering; office: and an office over a site-to-site VPN to it (examples/tgw/vpn)."""
    p = Plan()
    # How a VPC route table reaches the other VPC: the peering, or the TGW once the VPC is attached.
    if hub:
        link_key, link_ref = "transit_gateway_id", "aws_ec2_transit_gateway.hub"
    else:
        link_key, link_ref = "vpc_peering_connection_id", "aws_vpc_peering_connection.bar_to_foo"
    p.var("foo_cidr", "10.2.0.0/16")
    p.var("bar_cidr", "10.1.0.0/16")
    p.var("image_id", "ami-0b7546e839d7ace12")
    p.var("key_name", "lab-key")
    if office:
        p.var("office_cidr", "192.168.0.0/16")
    # ---------------------------------------------------------------- VPC foo (accepter)
    vpc(p, "foo", "foo_cidr", "10.2.0.0/16")
    p.add("aws_internet_gateway", "foo", {"vpc_id": U, "arn": U, "owner_id": U},
          {"vpc_id": ref("aws_vpc.foo")})
    subnet(p, "foo_public", "foo", "10.2.0.0/24", "ap-northeast-1a", True, "foo-public")
    for i, (cidr, az) in enumerate([("10.2.1.0/24", "ap-northeast-1a"), ("10.2.2.0/24", "ap-northeast-1c")]):
        subnet(p, "foo_private", "foo", cidr, az, False, f"foo-private-{az[-2:]}", index=i,
               count=const(2))
    p.add("aws_route_table", "foo_public",
          {"vpc_id": U, "route": [route("0.0.0.0/0", gateway_id=U)], "tags": {"Name": "foo-public"}, "arn": U,
           "owner_id": U, "propagating_vgws": U},
          {"vpc_id": ref("aws_vpc.foo"), "tags": const({"Name": "foo-public"}),
           "route": {"references": ["aws_internet_gateway.foo.id", "aws_internet_gateway.foo"]}})
    p.add("aws_route_table_association", "foo_public", {"subnet_id": U, "route_table_id": U, "gateway_id": None},
          {"subnet_id": ref("aws_subnet.foo_public"), "route_table_id": ref("aws_route_table.foo_public")})
    p.add("aws_eip", "foo_nat", {"domain": "vpc", "public_ip": U, "allocation_id": U, "instance": U,
                                 "network_interface": U, "tags": None},
          {"domain": const("vpc")})
    p.add("aws_nat_gateway", "foo", {"allocation_id": U, "subnet_id": U, "connectivity_type": "public",
                                     "private_ip": U, "public_ip": U, "tags": {"Name": "foo-nat"}},
          {"allocation_id": ref("aws_eip.foo_nat"), "subnet_id": ref("aws_subnet.foo_public"),
           "tags": const({"Name": "foo-nat"})})
    p.add("aws_route_table", "foo_private", {"vpc_id": U, "route": U, "tags": {"Name": "foo-private"}, "arn": U,
                                             "owner_id": U, "propagating_vgws": U},
          {"vpc_id": ref("aws_vpc.foo"), "tags": const({"Name": "foo-private"})})
    p.add("aws_route", "foo_private_nat", {"route_table_id": U, "destination_cidr_block": "0.0.0.0/0",
                                           "nat_gateway_id": U, "origin": U, "state": U},
          {"route_table_id": ref("aws_route_table.foo_private"), "destination_cidr_block": const("0.0.0.0/0"),
           "nat_gateway_id": ref("aws_nat_gateway.foo")})
    p.add("aws_route", "foo_to_bar", {"route_table_id": U, "destination_cidr_block": "10.1.0.0/16",
                                      link_key: U, "origin": U, "state": U},
          {"route_table_id": ref("aws_route_table.foo_private"),
           "destination_cidr_block": {"references": ["var.bar_cidr"]},
           link_key: ref(link_ref)}, depends_on=["aws_ec2_transit_gateway_vpc_attachment.foo"] if hub else None)
    if office:
        tgw_route(p, "foo_to_office", "foo_private", "foo")
    for i in range(2):
        p.add("aws_route_table_association", "foo_private", {"subnet_id": U, "route_table_id": U, "gateway_id": None},
              {"subnet_id": {"references": ["aws_subnet.foo_private", "count.index"]},
               "route_table_id": ref("aws_route_table.foo_private")}, index=i, count=const(2))

    security_group(p, "foo_bastion", "foo", "foo bastion, SSH only", [sg_rule(22, ["0.0.0.0/0"], description="developers")])
    alb_in = [sg_rule(80, ["10.1.0.0/16"], description="clients in bar")]
    if office:
        alb_in.append(sg_rule(80, ["192.168.0.0/16"], description="the office over VPN"))
    security_group(p, "foo_alb", "foo", "internal ALB, HTTP from VPC bar" + (" and the office" if office else ""),
                   alb_in, ingress_expr={"references": ["var.bar_cidr"] + (["var.office_cidr"] if office else [])})
    # The web group's rules as separate resources (the provider's recommended
    # form); its egress too: Terraform removes AWS's allow-all egress rule.
    security_group(p, "foo_web", "foo", "web servers, 8080 from the ALB, SSH from the bastion", None)
    vpc_sg_rule(p, "foo_web_from_alb", "ingress", "foo_web", "tcp", 8080, source="foo_alb")
    vpc_sg_rule(p, "foo_web_from_bastion", "ingress", "foo_web", "tcp", 22, source="foo_bastion")
    vpc_sg_rule(p, "foo_web_out", "egress", "foo_web", "-1", cidr="0.0.0.0/0")

    instance(p, "foo_bastion", ref("aws_subnet.foo_public"), "foo_bastion", "foo-bastion")
    instance(p, "foo_web1", {"references": ["aws_subnet.foo_private[0].id", "aws_subnet.foo_private[0]",
                                            "aws_subnet.foo_private"]}, "foo_web", "foo-web1", web_script(1))
    instance(p, "foo_web2", {"references": ["aws_subnet.foo_private[1].id", "aws_subnet.foo_private[1]",
                                            "aws_subnet.foo_private"]}, "foo_web", "foo-web2", web_script(2))

    p.add("aws_lb", "foo_internal", {"name": "foo-internal-alb", "internal": True, "load_balancer_type": "application",
                                     "subnets": U, "security_groups": U, "idle_timeout": 60, "enable_http2": True,
                                     "drop_invalid_header_fields": False, "arn": U, "dns_name": U, "zone_id": U,
                                     "vpc_id": U, "subnet_mapping": U, "tags": None},
          {"name": const("foo-internal-alb"), "internal": const(True), "load_balancer_type": const("application"),
           "subnets": {"references": ["aws_subnet.foo_private"]},
           "security_groups": ref("aws_security_group.foo_alb")})
    p.add("aws_lb_target_group", "foo_web", {"name": "foo-web", "port": 8080, "protocol": "HTTP",
                                             "target_type": "instance", "vpc_id": U, "deregistration_delay": "300",
                                             "slow_start": 0, "protocol_version": U, "arn": U, "arn_suffix": U,
                                             "health_check": [{"enabled": True, "healthy_threshold": 3,
                                                               "unhealthy_threshold": 3, "interval": 30,
                                                               "path": "/", "port": "traffic-port",
                                                               "protocol": "HTTP", "matcher": U, "timeout": U}],
                                             "stickiness": U, "tags": None},
          {"name": const("foo-web"), "port": const(8080), "protocol": const("HTTP"),
           "target_type": const("instance"), "vpc_id": ref("aws_vpc.foo"),
           "health_check": [{"path": const("/")}]})
    for n in (1, 2):
        p.add("aws_lb_target_group_attachment", f"foo_web{n}", {"target_group_arn": U, "target_id": U, "port": None},
              {"target_group_arn": ref("aws_lb_target_group.foo_web", "arn"),
               "target_id": ref(f"aws_instance.foo_web{n}")})
    p.add("aws_lb_listener", "foo_http", {"load_balancer_arn": U, "port": 80, "protocol": "HTTP", "arn": U,
                                          "ssl_policy": U, "certificate_arn": None,
                                          "default_action": [{"type": "forward", "target_group_arn": U,
                                                              "order": U, "forward": [], "redirect": [],
                                                              "fixed_response": [],
                                                              "authenticate_cognito": [],
                                                              "authenticate_oidc": []}]},
          {"load_balancer_arn": ref("aws_lb.foo_internal", "arn"), "port": const(80), "protocol": const("HTTP"),
           "default_action": [{"type": const("forward"),
                               "target_group_arn": ref("aws_lb_target_group.foo_web", "arn")}]})

    # ---------------------------------------------------------------- VPC bar (requester)
    vpc(p, "bar", "bar_cidr", "10.1.0.0/16")
    p.add("aws_internet_gateway", "bar", {"vpc_id": U, "arn": U, "owner_id": U}, {"vpc_id": ref("aws_vpc.bar")})
    subnet(p, "bar_public", "bar", "10.1.0.0/24", "ap-northeast-1a", True, "bar-public")
    subnet(p, "bar_private", "bar", "10.1.1.0/24", "ap-northeast-1a", False, "bar-private")
    p.add("aws_route_table", "bar_public",
          {"vpc_id": U, "route": [route("0.0.0.0/0", gateway_id=U)], "arn": U, "owner_id": U,
           "propagating_vgws": U, "tags": None},
          {"vpc_id": ref("aws_vpc.bar"),
           "route": {"references": ["aws_internet_gateway.bar.id", "aws_internet_gateway.bar"]}})
    p.add("aws_route_table_association", "bar_public", {"subnet_id": U, "route_table_id": U, "gateway_id": None},
          {"subnet_id": ref("aws_subnet.bar_public"), "route_table_id": ref("aws_route_table.bar_public")})
    p.add("aws_route_table", "bar_private", {"vpc_id": U, "route": U, "arn": U, "owner_id": U,
                                             "propagating_vgws": U, "tags": None},
          {"vpc_id": ref("aws_vpc.bar")})
    p.add("aws_route", "bar_to_foo", {"route_table_id": U, "destination_cidr_block": "10.2.0.0/16",
                                      link_key: U, "origin": U, "state": U},
          {"route_table_id": ref("aws_route_table.bar_private"),
           "destination_cidr_block": {"references": ["var.foo_cidr"]},
           link_key: ref(link_ref)}, depends_on=["aws_ec2_transit_gateway_vpc_attachment.bar"] if hub else None)
    if office:
        tgw_route(p, "bar_to_office", "bar_private", "bar")
    p.add("aws_route_table_association", "bar_private", {"subnet_id": U, "route_table_id": U, "gateway_id": None},
          {"subnet_id": ref("aws_subnet.bar_private"), "route_table_id": ref("aws_route_table.bar_private")})
    security_group(p, "bar_bastion", "bar", "bar bastion, SSH only", [sg_rule(22, ["0.0.0.0/0"])])
    security_group(p, "bar_app", "bar", "bar application instance, SSH from the bastion", None)
    p.add("aws_security_group_rule", "bar_app_out",
          {"type": "egress", "security_group_id": U, "protocol": "-1", "from_port": 0, "to_port": 0,
           "source_security_group_id": U, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": None,
           "prefix_list_ids": None, "self": False, "description": None, "security_group_rule_id": U},
          {"type": const("egress"), "security_group_id": ref("aws_security_group.bar_app"),
           "protocol": const("-1"), "from_port": const(0), "to_port": const(0),
           "cidr_blocks": const(["0.0.0.0/0"])})
    p.add("aws_security_group_rule", "bar_app_from_bastion",
          {"type": "ingress", "security_group_id": U, "protocol": "tcp", "from_port": 22, "to_port": 22,
           "source_security_group_id": U, "cidr_blocks": None, "ipv6_cidr_blocks": None, "prefix_list_ids": None,
           "self": False, "description": None, "security_group_rule_id": U},
          {"type": const("ingress"), "security_group_id": ref("aws_security_group.bar_app"),
           "protocol": const("tcp"), "from_port": const(22), "to_port": const(22),
           "source_security_group_id": ref("aws_security_group.bar_bastion")})
    instance(p, "bar_bastion", ref("aws_subnet.bar_public"), "bar_bastion", "bar-bastion")
    instance(p, "bar_app", ref("aws_subnet.bar_private"), "bar_app", "bar-app")

    if hub:
        transit_gateway(p, office)
    else:
        # ---------------------------------------------------------------- peering and DNS
        p.add("aws_vpc_peering_connection", "bar_to_foo",
              {"vpc_id": U, "peer_vpc_id": U, "auto_accept": True, "peer_owner_id": U, "peer_region": U,
               "accept_status": U, "accepter": U, "requester": U, "tags": {"Name": "bar-to-foo"}},
              {"vpc_id": ref("aws_vpc.bar"), "peer_vpc_id": ref("aws_vpc.foo"), "auto_accept": const(True),
               "tags": const({"Name": "bar-to-foo"})})
    # The hub-and-spoke template associates the zone with both VPCs.
    zone_vpcs = ["bar", "foo"] if hub else ["bar"]
    p.add("aws_route53_zone", "home", {"name": "home", "comment": "Managed by Terraform", "force_destroy": False,
                                       "vpc": [{"vpc_id": U, "vpc_region": U} for _ in zone_vpcs], "zone_id": U,
                                       "arn": U, "name_servers": U, "primary_name_server": U,
                                       "delegation_set_id": None, "tags": None},
          {"name": const("home"), "vpc": [{"vpc_id": ref(f"aws_vpc.{v}")} for v in zone_vpcs]})
    p.add("aws_route53_record", "alb", {"zone_id": U, "name": "alb.home", "type": "A", "fqdn": U,
                                        "alias": [{"name": U, "zone_id": U, "evaluate_target_health": False}],
                                        "records": None, "ttl": None, "set_identifier": None,
                                        "allow_overwrite": U},
          {"zone_id": ref("aws_route53_zone.home", "zone_id"), "name": const("alb.home"), "type": const("A"),
           "alias": [{"name": ref("aws_lb.foo_internal", "dns_name"),
                      "zone_id": ref("aws_lb.foo_internal", "zone_id"),
                      "evaluate_target_health": const(False)}]})
    return p.json()


def tgw_route(p, name, table, vpc_name):
    """A VPC route to the office's CIDR through the hub."""
    p.add("aws_route", name, {"route_table_id": U, "destination_cidr_block": "192.168.0.0/16",
                              "transit_gateway_id": U, "origin": U, "state": U},
          {"route_table_id": ref(f"aws_route_table.{table}"),
           "destination_cidr_block": {"references": ["var.office_cidr"]},
           "transit_gateway_id": ref("aws_ec2_transit_gateway.hub")},
          depends_on=[f"aws_ec2_transit_gateway_vpc_attachment.{vpc_name}"])


def transit_gateway(p, office):
    """The hub: one TGW, its default route table (default association and propagation), one VPC
    attachment per VPC (one subnet per AZ); office: a customer gateway and a BGP VPN connection to it."""
    p.add("aws_ec2_transit_gateway", "hub",
          {"description": "hub joining foo and bar", "amazon_side_asn": 64512,
           "auto_accept_shared_attachments": "disable", "default_route_table_association": "enable",
           "default_route_table_propagation": "enable", "dns_support": "enable", "vpn_ecmp_support": "enable",
           "multicast_support": "disable", "security_group_referencing_support": "disable",
           "transit_gateway_cidr_blocks": None, "tags": {"Name": "hub"}, "tags_all": {"Name": "hub"},
           "arn": U, "owner_id": U, "association_default_route_table_id": U,
           "propagation_default_route_table_id": U},
          {"description": const("hub joining foo and bar"), "default_route_table_association": const("enable"),
           "default_route_table_propagation": const("enable"), "tags": const({"Name": "hub"})})
    for name, subnets in (("foo", ["aws_subnet.foo_private"]), ("bar", ["aws_subnet.bar_private.id",
                                                                      "aws_subnet.bar_private"])):
        p.add("aws_ec2_transit_gateway_vpc_attachment", name,
              {"transit_gateway_id": U, "vpc_id": U, "subnet_ids": U, "appliance_mode_support": "disable",
               "dns_support": "enable", "ipv6_support": "disable", "security_group_referencing_support": U,
               "transit_gateway_default_route_table_association": True,
               "transit_gateway_default_route_table_propagation": True, "vpc_owner_id": U,
               "tags": {"Name": name}, "tags_all": {"Name": name}},
              {"transit_gateway_id": ref("aws_ec2_transit_gateway.hub"), "vpc_id": ref(f"aws_vpc.{name}"),
               "subnet_ids": {"references": subnets}, "tags": const({"Name": name})})
    if not office:
        return
    p.add("aws_customer_gateway", "office",
          {"bgp_asn": "65010", "bgp_asn_extended": None, "ip_address": "203.0.113.10", "type": "ipsec.1",
           "certificate_arn": None, "device_name": None, "tags": {"Name": "office"},
           "tags_all": {"Name": "office"}, "arn": U},
          {"bgp_asn": const("65010"), "ip_address": {"references": ["var.office_public_ip"]},
           "type": const("ipsec.1"), "tags": const({"Name": "office"})})
    p.var("office_public_ip", "203.0.113.10")
    p.add("aws_vpn_connection", "office",
          {"customer_gateway_id": U, "transit_gateway_id": U, "vpn_gateway_id": None, "type": "ipsec.1",
           "static_routes_only": False, "enable_acceleration": U, "transit_gateway_attachment_id": U,
           "tunnel1_address": U, "tunnel2_address": U, "tunnel1_preshared_key": U, "tunnel2_preshared_key": U,
           "customer_gateway_configuration": U, "routes": U, "vgw_telemetry": U, "arn": U,
           "tags": {"Name": "office-vpn"}, "tags_all": {"Name": "office-vpn"}},
          {"customer_gateway_id": ref("aws_customer_gateway.office"),
           "transit_gateway_id": ref("aws_ec2_transit_gateway.hub"),
           "type": {"references": ["aws_customer_gateway.office.type", "aws_customer_gateway.office"]},
           "static_routes_only": const(False), "tags": const({"Name": "office-vpn"})})


def vpcs(n):
    """n VPCs (10.A.B.0/24, at most 65,536), each with two subnets, an IGW, a public route table, two
    groups (web open on 80; app taking 8080 from web) and two instances; a chain of peerings."""
    if n > 65536:
        raise SystemExit("at most 65536 VPCs")
    p = Plan()
    for v in range(n):
        a, b = divmod(v, 256)
        vpc_cidr = f"10.{a}.{b}.0/24"
        sub = [f"10.{a}.{b}.0/25", f"10.{a}.{b}.128/25"]
        name = f"v{v}"
        p.add("aws_vpc", name, {"cidr_block": vpc_cidr, "enable_dns_support": True, "enable_dns_hostnames": True,
                                "tags": {"Name": name}}, {"cidr_block": const(vpc_cidr)})
        p.add("aws_internet_gateway", name, {"vpc_id": U}, {"vpc_id": ref(f"aws_vpc.{name}")})
        for i, s in enumerate(sub):
            p.add("aws_subnet", f"{name}_s{i}", {"vpc_id": U, "cidr_block": s, "availability_zone": "ap-northeast-1a",
                                                  "map_public_ip_on_launch": i == 0},
                  {"vpc_id": ref(f"aws_vpc.{name}"), "cidr_block": const(s)})
        p.add("aws_route_table", f"{name}_public", {"vpc_id": U, "route": [route("0.0.0.0/0", gateway_id=U)]},
              {"vpc_id": ref(f"aws_vpc.{name}"),
               "route": [{"cidr_block": const("0.0.0.0/0"), "gateway_id": ref(f"aws_internet_gateway.{name}")}]})
        p.add("aws_route_table_association", f"{name}_public", {"subnet_id": U, "route_table_id": U},
              {"subnet_id": ref(f"aws_subnet.{name}_s0"), "route_table_id": ref(f"aws_route_table.{name}_public")})
        security_group(p, f"{name}_web", name, "web", [sg_rule(80, ["0.0.0.0/0"])])
        security_group(p, f"{name}_app", name, "app", None)
        vpc_sg_rule(p, f"{name}_app_from_web", "ingress", f"{name}_app", "tcp", 8080, source=f"{name}_web")
        vpc_sg_rule(p, f"{name}_app_out", "egress", f"{name}_app", "-1", cidr="0.0.0.0/0")
        instance(p, f"{name}_web", ref(f"aws_subnet.{name}_s0"), f"{name}_web", f"{name}-web")
        instance(p, f"{name}_app", ref(f"aws_subnet.{name}_s1"), f"{name}_app", f"{name}-app")
        if v > 0:
            prev = f"v{v - 1}"
            p.add("aws_vpc_peering_connection", f"{prev}_{name}", {"vpc_id": U, "peer_vpc_id": U, "auto_accept": True},
                  {"vpc_id": ref(f"aws_vpc.{prev}"), "peer_vpc_id": ref(f"aws_vpc.{name}"), "auto_accept": const(True)})
    return p.json()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "scenario":
        out = scenario()
    elif len(sys.argv) >= 2 and sys.argv[1] == "tgw":
        out = canonical(hub=True)
    elif len(sys.argv) >= 2 and sys.argv[1] == "tgw-vpn":
        out = canonical(hub=True, office=True)
    elif len(sys.argv) >= 3 and sys.argv[1] == "vpcs":
        out = vpcs(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
