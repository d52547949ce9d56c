namespace infercost {
int cost_placeholder = 0;
}
