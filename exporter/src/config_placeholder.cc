namespace infercost {
int config_placeholder = 0;
}
