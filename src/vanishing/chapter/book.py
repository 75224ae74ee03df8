"""Published values, typed in from the sources and labelled as such. Nothing else is typed in:
every other number in the study comes from the pipeline's outputs.

Sources: Nielsen (2015), *Neural Networks and Deep Learning*, ch. 5; Glorot & Bengio (2010),
AISTATS, PMLR 9:249-256; Sutskever, Martens, Dahl & Hinton (2013), ICML, PMLR 28(3):1139-1147.
"""

NIELSEN = "Nielsen (2015), Neural Networks and Deep Learning, ch. 5"

# E1: validation accuracy (%) after 30 epochs, by number of hidden layers of 30 neurons.
DEPTH_ACCURACY = {1: 96.48, 2: 96.90, 3: 96.57, 4: 96.53}
# E1's setup behind DEPTH_ACCURACY (network2), in the config's terms.
DEPTH_ACCURACY_SETUP = {"activation": "sigmoid", "cost": "cross_entropy", "init": "scaled", "mini_batch_size": 10,
                        "eta": 0.1, "lmbda": 5.0, "epochs": 30, "train_size": 50000, "width": 30}

# The speed of learning ||delta^l|| is the norm of the mean of dC/db^l over the first 1000 training
# images (the book's probe, used for E1's, E2's and R4's speeds).
SPEED_PROBE_IMAGES = 1000

# E2: ||delta^l|| at initialization over the first 1000 training images, hidden layers 1..k.
INITIAL_SPEED = {2: [0.07, 0.31], 3: [0.012, 0.060, 0.283], 4: [0.003, 0.017, 0.070, 0.285]}

# E3: with four hidden layers "the first hidden layer learns roughly 100 times slower than the last".
LEARNING_SPEED_RATIO_4 = 100.0

# E4/E5: the chain argument and the window (eq. 123).
SIGMA_PRIME_MAX = 0.25
EXPLODING_FACTOR = 25.0  # w sigma'(0) with w = 100
WIDEST_WINDOW_W = 6.894  # |w| where the window is widest (the book: "about 6.9")
WIDEST_WINDOW_WIDTH = 0.4477

GLOROT_BENGIO = "Glorot & Bengio (2010), AISTATS, PMLR 9:249-256"
# Table 1, test error (%) on MNIST with 5 hidden layers of 1000 units.
GLOROT_TABLE1_MNIST = {"sigmoid": 2.21, "tanh": 1.76, "tanh_normalized": 1.64, "softsign": 1.64,
                       "softsign_normalized": 1.72}

SUTSKEVER = "Sutskever, Martens, Dahl & Hinton (2013), ICML, PMLR 28(3):1139-1147"
# Table 1, MNIST deep autoencoder training squared error, by momentum method and mu_max.
SUTSKEVER_MNIST_AUTOENCODER = {"sgd": 2.1, "nag_0.9": 1.0, "nag_0.99": 0.73, "nag_0.995": 0.75, "nag_0.999": 0.80,
                               "cm_0.9": 1.0, "cm_0.99": 0.77, "cm_0.995": 0.84, "cm_0.999": 0.90}
# Their final phase: μ lowered to 0.9 for the last 1000 updates (the number of updates is a config key).
SUTSKEVER_FINAL_MU = 0.9

# Glorot & Bengio, Table 1: the MNIST nets behind GLOROT_TABLE1_MNIST.
GLOROT_TABLE1_ARCH = {"hidden_layers": 5, "width": 1000}
# Sect. 4: average singular value of the layer Jacobians at initialization, tanh net.
GLOROT_JACOBIAN_SINGULAR_VALUE = {"normalized": 0.8, "standard": 0.5}
# Fig. 2: the top sigmoid layer, saturated at 0 early on, desaturates "around epoch 100".
GLOROT_FIG2_DESATURATION_EPOCH = 100
# Fig. 3: the saturation of each layer read as the 98th percentile of |a| over the units and images.
GLOROT_FIG3_PERCENTILE = 98
