# The canonical scenario hub-and-spoke with an office over a site-to-site VPN (../../../tgw/vpn/) in
# Terraform: ../main.tf plus routes to the office (var.office_cidr) through the hub, the ALB open to
# the office, and the office's customer gateway and BGP VPN connection to the hub. The lab manifest
# vpclab.yaml beside this file gives what Terraform cannot say: the CIDRs behind the customer gateway.
#
# The hub-and-spoke part: an internal ALB in
# VPC foo (10.2.0.0/16) with two web servers on 8080 behind it, reached from VPC bar (10.1.0.0/16)
# through a transit gateway (instead of a VPC peering connection), by the private hosted zone name
# alb.home. Both VPCs use the TGW's default route table (default association and propagation), so
# each attachment propagates its VPC's CIDR and routes to the other. plan.json beside this file is its
# `terraform show -json` plan (see ../README.md: written by bench/terraform/gen_plan.py tgw-vpn, not terraform).
#
# Where Terraform differs from CloudFormation: a security group it creates has NO egress rule unless
# one is written (the provider removes AWS's allow-all egress), so every group here writes its egress.

provider "aws" {
  region = "ap-northeast-1"
}

variable "foo_cidr" { default = "10.2.0.0/16" }
variable "bar_cidr" { default = "10.1.0.0/16" }
variable "office_cidr" { default = "192.168.0.0/16" }
variable "office_public_ip" { default = "203.0.113.10" }
variable "image_id" { default = "ami-0b7546e839d7ace12" } # Amazon Linux 2, ap-northeast-1
variable "key_name" { default = "lab-key" }

locals {
  all_out = {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    description      = ""
    ipv6_cidr_blocks = []
    prefix_list_ids  = []
    security_groups  = []
    self             = false
  }
}

# ---------------------------------------------------------------- VPC foo (accepter)
resource "aws_vpc" "foo" {
  cidr_block           = var.foo_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "foo" }
}

resource "aws_internet_gateway" "foo" {
  vpc_id = aws_vpc.foo.id
}

resource "aws_subnet" "foo_public" {
  vpc_id                  = aws_vpc.foo.id
  cidr_block              = "10.2.0.0/24"
  availability_zone       = "ap-northeast-1a"
  map_public_ip_on_launch = true
  tags                    = { Name = "foo-public" }
}

resource "aws_subnet" "foo_private" {
  count                   = 2
  vpc_id                  = aws_vpc.foo.id
  cidr_block              = ["10.2.1.0/24", "10.2.2.0/24"][count.index]
  availability_zone       = ["ap-northeast-1a", "ap-northeast-1c"][count.index]
  map_public_ip_on_launch = false
  tags                    = { Name = "foo-private-${["1a", "1c"][count.index]}" }
}

resource "aws_route_table" "foo_public" {
  vpc_id = aws_vpc.foo.id
  # Inline routes are the table's routes (with the local one).
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.foo.id
  }
  tags = { Name = "foo-public" }
}

resource "aws_route_table_association" "foo_public" {
  subnet_id      = aws_subnet.foo_public.id
  route_table_id = aws_route_table.foo_public.id
}

resource "aws_eip" "foo_nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "foo" {
  allocation_id = aws_eip.foo_nat.id
  subnet_id     = aws_subnet.foo_public.id
  tags          = { Name = "foo-nat" }
}

resource "aws_route_table" "foo_private" {
  vpc_id = aws_vpc.foo.id
  tags   = { Name = "foo-private" }
}

resource "aws_route" "foo_private_nat" {
  route_table_id         = aws_route_table.foo_private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.foo.id
}

resource "aws_route" "foo_to_bar" {
  route_table_id         = aws_route_table.foo_private.id
  destination_cidr_block = var.bar_cidr
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.foo] # the VPC must be attached first
}

resource "aws_route" "foo_to_office" {
  route_table_id         = aws_route_table.foo_private.id
  destination_cidr_block = var.office_cidr
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.foo]
}

resource "aws_route_table_association" "foo_private" {
  count          = 2
  subnet_id      = aws_subnet.foo_private[count.index].id
  route_table_id = aws_route_table.foo_private.id
}

resource "aws_security_group" "foo_bastion" {
  name        = "foo-bastion"
  description = "foo bastion, SSH only"
  vpc_id      = aws_vpc.foo.id
  ingress = [{
    from_port = 22, to_port = 22, protocol = "tcp", cidr_blocks = ["0.0.0.0/0"], description = "developers"
    ipv6_cidr_blocks = [], prefix_list_ids = [], security_groups = [], self = false
  }]
  egress = [local.all_out]
}

resource "aws_security_group" "foo_alb" {
  name        = "foo-alb"
  description = "internal ALB, HTTP from VPC bar and the office"
  vpc_id      = aws_vpc.foo.id
  ingress = [{
    from_port = 80, to_port = 80, protocol = "tcp", cidr_blocks = [var.bar_cidr], description = "clients in bar"
    ipv6_cidr_blocks = [], prefix_list_ids = [], security_groups = [], self = false
    }, {
    from_port = 80, to_port = 80, protocol = "tcp", cidr_blocks = [var.office_cidr], description = "the office over VPN"
    ipv6_cidr_blocks = [], prefix_list_ids = [], security_groups = [], self = false
  }]
  egress = [local.all_out]
}

# The web servers' rules as separate resources (the provider's recommended form; never mixed with
# inline rules on one group).
resource "aws_security_group" "foo_web" {
  name        = "foo-web"
  description = "web servers, 8080 from the ALB, SSH from the bastion"
  vpc_id      = aws_vpc.foo.id
}

resource "aws_vpc_security_group_ingress_rule" "foo_web_from_alb" {
  security_group_id            = aws_security_group.foo_web.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.foo_alb.id
}

resource "aws_vpc_security_group_ingress_rule" "foo_web_from_bastion" {
  security_group_id            = aws_security_group.foo_web.id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.foo_bastion.id
}

resource "aws_vpc_security_group_egress_rule" "foo_web_out" {
  security_group_id = aws_security_group.foo_web.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_instance" "foo_bastion" {
  ami                    = var.image_id
  instance_type          = "t3.micro"
  key_name               = var.key_name
  subnet_id              = aws_subnet.foo_public.id
  vpc_security_group_ids = [aws_security_group.foo_bastion.id]
  tags                   = { Name = "foo-bastion" }
}

resource "aws_instance" "foo_web1" {
  ami                    = var.image_id
  instance_type          = "t3.micro"
  key_name               = var.key_name
  subnet_id              = aws_subnet.foo_private[0].id
  vpc_security_group_ids = [aws_security_group.foo_web.id]
  tags                   = { Name = "foo-web1" }
  user_data              = <<-EOT
    #!/bin/bash
    mkdir -p www && cd www
    printf '<html>\n  <head>\n    <title>Welcom to web1</title>\n  </head>\n  <body>\n    Hello World\n  </body>\n</html>\n' > index.html
    exec python3 -m http.server 8080
  EOT
}

resource "aws_instance" "foo_web2" {
  ami                    = var.image_id
  instance_type          = "t3.micro"
  key_name               = var.key_name
  subnet_id              = aws_subnet.foo_private[1].id
  vpc_security_group_ids = [aws_security_group.foo_web.id]
  tags                   = { Name = "foo-web2" }
  user_data              = <<-EOT
    #!/bin/bash
    mkdir -p www && cd www
    printf '<html>\n  <head>\n    <title>Welcom to web2</title>\n  </head>\n  <body>\n    Hello World\n  </body>\n</html>\n' > index.html
    exec python3 -m http.server 8080
  EOT
}

resource "aws_lb" "foo_internal" {
  name               = "foo-internal-alb"
  internal           = true
  load_balancer_type = "application"
  subnets            = aws_subnet.foo_private[*].id
  security_groups    = [aws_security_group.foo_alb.id]
}

resource "aws_lb_target_group" "foo_web" {
  name        = "foo-web"
  port        = 8080
  protocol    = "HTTP"
  target_type = "instance"
  vpc_id      = aws_vpc.foo.id
  health_check {
    path = "/"
  }
}

resource "aws_lb_target_group_attachment" "foo_web1" {
  target_group_arn = aws_lb_target_group.foo_web.arn
  target_id        = aws_instance.foo_web1.id
}

resource "aws_lb_target_group_attachment" "foo_web2" {
  target_group_arn = aws_lb_target_group.foo_web.arn
  target_id        = aws_instance.foo_web2.id
}

resource "aws_lb_listener" "foo_http" {
  load_balancer_arn = aws_lb.foo_internal.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.foo_web.arn
  }
}

# ---------------------------------------------------------------- VPC bar (requester)
resource "aws_vpc" "bar" {
  cidr_block           = var.bar_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "bar" }
}

resource "aws_internet_gateway" "bar" {
  vpc_id = aws_vpc.bar.id
}

resource "aws_subnet" "bar_public" {
  vpc_id                  = aws_vpc.bar.id
  cidr_block              = "10.1.0.0/24"
  availability_zone       = "ap-northeast-1a"
  map_public_ip_on_launch = true
  tags                    = { Name = "bar-public" }
}

resource "aws_subnet" "bar_private" {
  vpc_id                  = aws_vpc.bar.id
  cidr_block              = "10.1.1.0/24"
  availability_zone       = "ap-northeast-1a"
  map_public_ip_on_launch = false
  tags                    = { Name = "bar-private" }
}

resource "aws_route_table" "bar_public" {
  vpc_id = aws_vpc.bar.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.bar.id
  }
}

resource "aws_route_table_association" "bar_public" {
  subnet_id      = aws_subnet.bar_public.id
  route_table_id = aws_route_table.bar_public.id
}

resource "aws_route_table" "bar_private" {
  vpc_id = aws_vpc.bar.id
}

resource "aws_route" "bar_to_foo" {
  route_table_id         = aws_route_table.bar_private.id
  destination_cidr_block = var.foo_cidr
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.bar]
}

resource "aws_route" "bar_to_office" {
  route_table_id         = aws_route_table.bar_private.id
  destination_cidr_block = var.office_cidr
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.bar]
}

resource "aws_route_table_association" "bar_private" {
  subnet_id      = aws_subnet.bar_private.id
  route_table_id = aws_route_table.bar_private.id
}

resource "aws_security_group" "bar_bastion" {
  name        = "bar-bastion"
  description = "bar bastion, SSH only"
  vpc_id      = aws_vpc.bar.id
  ingress = [{
    from_port = 22, to_port = 22, protocol = "tcp", cidr_blocks = ["0.0.0.0/0"], description = ""
    ipv6_cidr_blocks = [], prefix_list_ids = [], security_groups = [], self = false
  }]
  egress = [local.all_out]
}

resource "aws_security_group" "bar_app" {
  name        = "bar-app"
  description = "bar application instance, SSH from the bastion"
  vpc_id      = aws_vpc.bar.id
}

resource "aws_security_group_rule" "bar_app_from_bastion" {
  type                     = "ingress"
  security_group_id        = aws_security_group.bar_app.id
  protocol                 = "tcp"
  from_port                = 22
  to_port                  = 22
  source_security_group_id = aws_security_group.bar_bastion.id
}

resource "aws_security_group_rule" "bar_app_out" {
  type              = "egress"
  security_group_id = aws_security_group.bar_app.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_instance" "bar_bastion" {
  ami                    = var.image_id
  instance_type          = "t3.micro"
  key_name               = var.key_name
  subnet_id              = aws_subnet.bar_public.id
  vpc_security_group_ids = [aws_security_group.bar_bastion.id]
  tags                   = { Name = "bar-bastion" }
}

resource "aws_instance" "bar_app" {
  ami                    = var.image_id
  instance_type          = "t3.micro"
  key_name               = var.key_name
  subnet_id              = aws_subnet.bar_private.id
  vpc_security_group_ids = [aws_security_group.bar_app.id]
  tags                   = { Name = "bar-app" }
}

# ---------------------------------------------------------------- transit gateway and DNS
resource "aws_ec2_transit_gateway" "hub" {
  description                     = "hub joining foo and bar"
  default_route_table_association = "enable" # the provider's default, written for the reader
  default_route_table_propagation = "enable"
  tags                            = { Name = "hub" }
}

# One subnet per AZ the attachment serves: traffic enters and leaves the TGW only there.
resource "aws_ec2_transit_gateway_vpc_attachment" "foo" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  vpc_id             = aws_vpc.foo.id
  subnet_ids         = aws_subnet.foo_private[*].id
  tags               = { Name = "foo" }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "bar" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  vpc_id             = aws_vpc.bar.id
  subnet_ids         = [aws_subnet.bar_private.id]
  tags               = { Name = "bar" }
}

# ---------------------------------------------------------------- the office
resource "aws_customer_gateway" "office" {
  bgp_asn    = 65010
  ip_address = var.office_public_ip
  type       = "ipsec.1"
  tags       = { Name = "office" }
}

# A connection to a TGW is a TGW attachment of type vpn (transit_gateway_attachment_id); with BGP it
# propagates the office's prefixes into the hub's default route table.
resource "aws_vpn_connection" "office" {
  customer_gateway_id = aws_customer_gateway.office.id
  transit_gateway_id  = aws_ec2_transit_gateway.hub.id
  type                = aws_customer_gateway.office.type
  static_routes_only  = false
  tags                = { Name = "office-vpn" }
}

resource "aws_route53_zone" "home" {
  name = "home"
  vpc { # any vpc block makes the zone private
    vpc_id = aws_vpc.bar.id
  }
  vpc {
    vpc_id = aws_vpc.foo.id
  }
}

resource "aws_route53_record" "alb" {
  zone_id = aws_route53_zone.home.zone_id
  name    = "alb.home"
  type    = "A"
  alias {
    name                   = aws_lb.foo_internal.dns_name
    zone_id                = aws_lb.foo_internal.zone_id
    evaluate_target_health = false
  }
}
