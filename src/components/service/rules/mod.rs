pub mod fargate_size_invalid;
pub mod load_balancer_without_tls;
pub mod tasks_cannot_reach_ecr;
