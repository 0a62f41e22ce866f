# Reference values for tests/analysis/test_stats_r_reference.py, printed by R itself.
# Reproduce with:  Rscript tests/analysis/r_reference.R
# (R 4.2.2, base packages only). The tests hold the printed numbers; they never call R.

options(digits = 15)
show <- function(name, value) cat(sprintf("%-28s %s\n", name, paste(format(value, digits = 15), collapse = " ")))

# The fixed dataset: daily scores (1..5) on day 1 (pre) and day 7 (post) in two arms.
pre_a  <- c(2, 3, 2, 1, 3, 2, 4, 2, 3, 2, 1, 2)
post_a <- c(4, 4, 3, 3, 5, 4, 5, 3, 5, 4, 3, 4)
pre_b  <- c(2, 2, 3, 1, 2, 3, 2, 2, 1, 3, 2, 2)
post_b <- c(3, 2, 3, 2, 3, 4, 2, 3, 2, 3, 3, 2)

tt <- t.test(post_a, pre_a, paired = TRUE)
show("paired_a t", tt$statistic); show("paired_a df", tt$parameter); show("paired_a p", tt$p.value)
show("paired_a mean", tt$estimate); show("paired_a ci", tt$conf.int)
tt <- t.test(post_b, pre_b, paired = TRUE)
show("paired_b t", tt$statistic); show("paired_b p", tt$p.value); show("paired_b ci", tt$conf.int)

wt <- t.test(post_a - pre_a, post_b - pre_b)  # Welch is R's default
show("welch t", wt$statistic); show("welch df", wt$parameter); show("welch p", wt$p.value)
show("welch ci", wt$conf.int)

sa <- shapiro.test(post_a - pre_a); show("shapiro_a W", sa$statistic); show("shapiro_a p", sa$p.value)
sb <- shapiro.test(post_b - pre_b); show("shapiro_b W", sb$statistic); show("shapiro_b p", sb$p.value)
sx <- shapiro.test(c(1.2, 3.4, 2.2, 5.9, 0.3, 4.4, 2.8, 3.1, 7.5, 2.0))
show("shapiro_x W", sx$statistic); show("shapiro_x p", sx$p.value)

# ANCOVA: post on pre and arm, arm coded 1 for the first arm (A).
d <- data.frame(post = c(post_a, post_b), pre = c(pre_a, pre_b), arm = c(rep(1, 12), rep(0, 12)))
fit <- summary(lm(post ~ pre + arm, data = d))
show("ancova estimate", fit$coefficients["arm", "Estimate"])
show("ancova se", fit$coefficients["arm", "Std. Error"])
show("ancova t", fit$coefficients["arm", "t value"])
show("ancova p", fit$coefficients["arm", "Pr(>|t|)"])
show("ancova pre slope", fit$coefficients["pre", "Estimate"])
show("ancova ci", confint(lm(post ~ pre + arm, data = d))["arm", ])

# McNemar: one indicator on day 1 and day 7 (TRUE = met) in one arm of 20.
day1 <- c(rep(TRUE, 5), rep(FALSE, 15))
day7 <- c(TRUE, TRUE, TRUE, TRUE, FALSE, rep(TRUE, 9), rep(FALSE, 6))
tab <- table(factor(day1, c(TRUE, FALSE)), factor(day7, c(TRUE, FALSE)))
show("mcnemar b c", c(tab[1, 2], tab[2, 1]))
show("mcnemar exact p", binom.test(tab[1, 2], tab[1, 2] + tab[2, 1], 0.5)$p.value)
mc <- mcnemar.test(tab)  # continuity corrected by default
show("mcnemar chi2", mc$statistic); show("mcnemar chi2 p", mc$p.value)
big <- matrix(c(30, 22, 8, 40), 2)  # b = 8, c = 22: 30 discordant pairs, over the exact rule's 25
mb <- mcnemar.test(big); show("mcnemar big chi2", mb$statistic); show("mcnemar big p", mb$p.value)
show("mcnemar big exact p", binom.test(8, 30, 0.5)$p.value)

# Fisher: met / not met at day 7, arm A then arm B.
ft <- fisher.test(matrix(c(10, 4, 2, 8), 2))  # rows A = (10, 2), B = (4, 8)
show("fisher p", ft$p.value); show("fisher or", ft$estimate); show("fisher ci", ft$conf.int)
ft <- fisher.test(matrix(c(3, 5, 9, 7), 2))   # rows (3, 9), (5, 7)
show("fisher2 p", ft$p.value); show("fisher2 or", ft$estimate); show("fisher2 ci", ft$conf.int)

show("holm", p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.04), method = "holm"))
