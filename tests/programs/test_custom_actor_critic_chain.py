"""Actor-critic on a tiny chain environment, one tape per episode.

The style of the keras.io actor-critic example: one model with a shared
layer and two heads (action probabilities and the state's value), an
episode played inside one ``tf.GradientTape`` calling ``model(state)`` at
every step and sampling with ``np.random.choice(p=np.squeeze(probs))``,
discounted and normalised returns, an actor loss ``-log_prob * (return -
value)`` and a Huber critic loss summed over the episode, and
``optimizer.apply_gradients`` once per episode. The environment is a
5-state chain where only reaching the right end pays; the agent must learn
to walk right.
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers

NUM_STATES = 5
NUM_ACTIONS = 2


class ChainEnv:
    def __init__(self, max_steps=15):
        self.max_steps = max_steps

    def reset(self):
        self.position = 0
        self.steps = 0
        return np.eye(NUM_STATES, dtype="float32")[self.position]

    def step(self, action):
        self.steps += 1
        move = 1 if action == 1 else -1
        self.position = int(np.clip(self.position + move, 0, NUM_STATES - 1))
        done = self.position == NUM_STATES - 1
        reward = 1.0 if done else -0.05
        state = np.eye(NUM_STATES, dtype="float32")[self.position]
        return state, reward, done or self.steps >= self.max_steps


def test_actor_critic_learns_to_walk_right():
    keras.utils.set_random_seed(17)
    np.random.seed(17)
    gamma = 0.9
    eps = np.finfo(np.float32).eps.item()
    env = ChainEnv()

    inputs = layers.Input(shape=(NUM_STATES,))
    common = layers.Dense(32, activation="relu")(inputs)
    action = layers.Dense(NUM_ACTIONS, activation="softmax")(common)
    critic = layers.Dense(1)(common)
    model = keras.Model(inputs=inputs, outputs=[action, critic])

    optimizer = keras.optimizers.Adam(learning_rate=0.02)
    huber_loss = keras.losses.Huber()
    episode_lengths = []

    for episode in range(80):
        action_probs_history = []
        critic_value_history = []
        rewards_history = []
        state = env.reset()
        with tf.GradientTape() as tape:
            done = False
            while not done:
                state = tf.convert_to_tensor(state)
                state = tf.expand_dims(state, 0)
                action_probs, critic_value = model(state)
                critic_value_history.append(critic_value[0, 0])
                action = np.random.choice(NUM_ACTIONS,
                                          p=np.squeeze(action_probs))
                action_probs_history.append(
                    tf.math.log(action_probs[0, action]))
                state, reward, done = env.step(action)
                rewards_history.append(reward)
            episode_lengths.append(len(rewards_history))

            returns = []
            discounted_sum = 0
            for r in rewards_history[::-1]:
                discounted_sum = r + gamma * discounted_sum
                returns.insert(0, discounted_sum)
            returns = np.array(returns)
            returns = (returns - np.mean(returns)) / (np.std(returns) + eps)
            returns = returns.tolist()

            history = zip(action_probs_history, critic_value_history,
                          returns)
            actor_losses = []
            critic_losses = []
            for log_prob, value, ret in history:
                diff = ret - value
                actor_losses.append(-log_prob * diff)
                critic_losses.append(
                    huber_loss(tf.expand_dims(value, 0),
                               tf.expand_dims(ret, 0)))
            loss_value = sum(actor_losses) + sum(critic_losses)
        grads = tape.gradient(loss_value, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    assert np.mean(episode_lengths[-15:]) < np.mean(episode_lengths[:15])
    assert np.mean(episode_lengths[-15:]) < 6.0, episode_lengths[-15:]
    probs, _ = model.predict(np.eye(NUM_STATES, dtype="float32")[:-1],
                             verbose=0)
    assert np.all(probs[:, 1] > 0.8), probs
